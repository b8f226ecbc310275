"""monitoring: notices and alerts with history, evaluation runs, missing reports, improvement plans, agreement renewals, job runs, forced-exit mark (C3.6, C4.7–C4.11)

Revision ID: 94810be4ce34
Revises: 23bc7a0d6ec0
Create Date: 2026-11-23 11:56:17.881877

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '94810be4ce34'
down_revision = '23bc7a0d6ec0'
branch_labels = None
depends_on = None


TEMPLATES = {'agreement.expiring': ('notice',
                        '电子社保卡平台运营机构',
                        '渠道 {channel} 合作协议将于 {term_end} 到期',
                        '渠道 {channel}（{channel_number}）的合作协议将于 {term_end} 到期。{condition}（C4.11）',
                        ['channel', 'channel_number', 'term_end', 'condition']),
 'agreement.not_renewed': ('notice',
                           '电子社保卡平台运营机构',
                           '渠道 {channel} 合作协议到期未续签',
                           '渠道 {channel}（{channel_number}）的合作协议已于 {term_end} 到期且未能续签：{reason}。该渠道已列入强制退出（C4.11、C6.4）。',
                           ['channel', 'channel_number', 'term_end', 'reason']),
 'agreement.renewed': ('business',
                       '电子社保卡平台运营机构',
                       '渠道 {channel} 合作协议已续签',
                       '渠道 {channel}（{channel_number}）的合作协议已续签一年，新的协议期限至 {term_end}（C4.11）。',
                       ['channel', 'channel_number', 'term_end']),
 'improvement_plan.decided': ('business',
                              '电子社保卡平台运营机构',
                              '渠道 {channel} 运营提升方案审核结果：{result}',
                              '平台运营机构对渠道 {channel} 的运营提升方案的意见：{result}。{opinion}',
                              ['channel', 'result', 'opinion']),
 'improvement_plan.filed': ('business',
                            '{owner}',
                            '渠道 {channel} 提交运营提升方案',
                            '{owner} 为被告警的渠道 {channel}（{channel_number}）提交了运营提升方案，请审核（C4.11）。',
                            ['owner', 'channel', 'channel_number']),
 'monitoring.alert': ('notice',
                      '电子社保卡平台运营机构',
                      '渠道 {channel} 运营告警（{month}）',
                      '渠道 {channel}（{channel_number}）{month} 评估触发告警 '
                      '{rule}：{reason}。被告警渠道须提交运营提升方案，经运营机构同意后方可续签合作协议（C4.11）。',
                      ['channel', 'channel_number', 'month', 'rule', 'reason', 'period_ends']),
 'monitoring.cleared': ('notice',
                        '电子社保卡平台运营机构',
                        '渠道 {channel} 提升期结束：已明显改善',
                        '渠道 {channel}（{channel_number}）因 {rule} 开始的提升期已于 {month} 结束，签发量和月活跃用户数已明显改善，通知解除（C4.9）。',
                        ['channel', 'channel_number', 'month', 'rule', 'reason', 'period_ends']),
 'monitoring.evaluated': ('business',
                          '电子社保卡服务渠道管理系统',
                          '{month} 月度评估完成',
                          '{month} 的月度评估已完成：新增通知 {notices} 条、告警 {alerts} 条，状态变化 {changed} 条。',
                          ['month', 'notices', 'alerts', 'changed']),
 'monitoring.missing_report': ('notice',
                               '电子社保卡平台运营机构',
                               '渠道 {channel} 未按时报送 {month} 统计数据',
                               '截至本月 {due_day} 日，渠道 {channel}（{channel_number}）尚未报送 {month} '
                               '以下渠道的业务统计数据：{missing}。一级渠道须每月报送本渠道及其二级渠道的统计数据（C3.6），请尽快报送。',
                               ['channel', 'channel_number', 'month', 'due_day', 'missing']),
 'monitoring.missing_report_operators': ('business',
                                         '电子社保卡服务渠道管理系统',
                                         '{month} 统计数据缺报 {count} 个渠道',
                                         '截至本月 {due_day} 日，{count} 个一级渠道未报送 {month} 全部统计数据，详见月度监测页面（C3.6）。',
                                         ['month', 'due_day', 'count']),
 'monitoring.notice': ('notice',
                       '电子社保卡平台运营机构',
                       '渠道 {channel} 运营情况通知（{month}）',
                       '渠道 {channel}（{channel_number}）{month} 的运营数据触发了 {rule}：{reason}。自即日起给予 3 个月提升期，至 {period_ends} '
                       '结束；届时签发量和月活跃用户数仍未明显改善的，将予以告警（C4.9）。请在门户查看数据和明细。',
                       ['channel', 'channel_number', 'month', 'rule', 'reason', 'period_ends'])}


def _seed():
    table = sa.table(
        "message_template",
        sa.column("code", sa.String),
        sa.column("version", sa.Integer),
        sa.column("category", sa.String),
        sa.column("sender_unit", sa.String),
        sa.column("subject", sa.String),
        sa.column("body", sa.Text),
        sa.column("placeholders", sa.JSON),
        sa.column("status", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("review_note", sa.Text),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        table,
        [
            dict(code=code, version=1, category=c, sender_unit=u, subject=t, body=b, placeholders=p, status="approved",
                 created_at=now, review_note="seeded with the system")
            for code, (c, u, t, b, p) in TEMPLATES.items()
        ],
    )




def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('evaluation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('trigger', sa.String(length=16), nullable=False, comment='schedule, cli, operator'),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('statements', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_run')),
    comment='One evaluation of every channel for a month (C4.9, C4.10): what it changed.'
    )
    with op.batch_alter_table('evaluation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_run_month'), ['month'], unique=False)

    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=48), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False, comment='YYYY-MM-DD or YYYY-MM'),
    sa.Column('host', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('job', 'period', name='uq_job_run_period'),
    comment='Scheduled jobs: one row per job and period, so a period runs once across hosts.'
    )
    op.create_table('improvement_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_improvement_plan_status')),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_improvement_plan_channel_id_channel')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_improvement_plan_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_improvement_plan_filed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_plan')),
    comment="An alerted channel's operational improvement plan; approval allows renewal (C4.11)."
    )
    with op.batch_alter_table('improvement_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_plan_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_plan_status'), ['status'], unique=False)

    op.create_table('missing_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False, comment='the level-1 channel'),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False, comment='channel numbers without figures when flagged'),
    sa.Column('flagged_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True, comment='when every figure had arrived'),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_missing_report_channel_id_channel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_missing_report')),
    sa.UniqueConstraint('channel_id', 'month', name='uq_missing_report_channel_month'),
    comment='A level-1 channel that had not reported a month for itself and all its level-2 channels (C3.6).'
    )
    with op.batch_alter_table('missing_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_missing_report_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_missing_report_month'), ['month'], unique=False)

    op.create_table('monitoring_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False, comment="the unit's channel"),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('rule', sa.String(length=8), nullable=False, comment='C4.9a, C4.9b, C4.9c, C4.9 (after the period), C4.10'),
    sa.Column('month', sa.Date(), nullable=False, comment='the evaluated month that raised it'),
    sa.Column('months', sa.JSON(), nullable=False, comment='the months concerned, YYYY-MM'),
    sa.Column('figures', sa.JSON(), nullable=False, comment='the figures that triggered it'),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('period_ends', sa.Date(), nullable=True, comment='notice: last month of the improvement period'),
    sa.Column('baseline_issuance', sa.BigInteger(), nullable=True, comment='notice: 3-month issuance at notice'),
    sa.Column('baseline_mau', sa.BigInteger(), nullable=True, comment="notice: the month's MAU at notice"),
    sa.Column('notice_id', sa.Integer(), nullable=True, comment='alert: its notice'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('notice', 'alert')", name=op.f('ck_monitoring_record_kind')),
    sa.CheckConstraint("status IN ('improving', 'cleared', 'escalated', 'open', 'resolved', 'withdrawn')", name=op.f('ck_monitoring_record_status')),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_monitoring_record_channel_id_channel')),
    sa.ForeignKeyConstraint(['notice_id'], ['monitoring_record.id'], name=op.f('fk_monitoring_record_notice_id_monitoring_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_record')),
    sa.UniqueConstraint('channel_id', 'kind', 'rule', 'month', name='uq_monitoring_record_unit_rule_month'),
    comment='Monitoring notices and alerts with the figures that triggered them (C4.7–C4.10).'
    )
    with op.batch_alter_table('monitoring_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_record_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_record_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_record_status'), ['status'], unique=False)

    op.create_table('monitoring_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['monitoring_record.id'], name=op.f('fk_monitoring_event_record_id_monitoring_record')),
    sa.ForeignKeyConstraint(['run_id'], ['evaluation_run.id'], name=op.f('fk_monitoring_event_run_id_evaluation_run')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_monitoring_event_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_event')),
    comment='The history of a notice or alert: every status change with its reason.'
    )
    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_event_record_id'), ['record_id'], unique=False)

    op.create_table('agreement_renewal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('term_end', sa.Date(), nullable=False, comment='the end of the term being renewed'),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('warned_at', sa.DateTime(), nullable=True),
    sa.Column('objection', sa.Text(), nullable=False, comment="the operator's objection to renewal"),
    sa.Column('objected_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('new_term_end', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("outcome IN ('pending', 'renewed', 'not_renewed')", name=op.f('ck_agreement_renewal_outcome')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_renewal_agreement_id_agreement')),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_agreement_renewal_channel_id_channel')),
    sa.ForeignKeyConstraint(['objected_by_id'], ['user_account.id'], name=op.f('fk_agreement_renewal_objected_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_renewal')),
    sa.UniqueConstraint('agreement_id', 'term_end', name='uq_agreement_renewal_term'),
    comment="Each agreement term's renewal at expiry: warned, objected to, renewed or not (C4.11)."
    )
    with op.batch_alter_table('agreement_renewal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_renewal_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_renewal_channel_id'), ['channel_id'], unique=False)

    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forced_exit_cause', sa.String(length=32), nullable=True, comment='marked for forced exit (C6.4): agreement_not_renewed, …; issue 8 acts on it'))
        batch_op.add_column(sa.Column('forced_exit_marked_at', sa.DateTime(), nullable=True))

    # ### end Alembic commands ###
    _seed()


def downgrade():
    op.execute(sa.text('DELETE FROM message_template WHERE code IN :codes').bindparams(sa.bindparam('codes', expanding=True)).bindparams(codes=list(TEMPLATES)))
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.drop_column('forced_exit_marked_at')
        batch_op.drop_column('forced_exit_cause')

    with op.batch_alter_table('agreement_renewal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_renewal_channel_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_renewal_agreement_id'))

    op.drop_table('agreement_renewal')
    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_event_record_id'))

    op.drop_table('monitoring_event')
    with op.batch_alter_table('monitoring_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_record_status'))
        batch_op.drop_index(batch_op.f('ix_monitoring_record_month'))
        batch_op.drop_index(batch_op.f('ix_monitoring_record_channel_id'))

    op.drop_table('monitoring_record')
    with op.batch_alter_table('missing_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_missing_report_month'))
        batch_op.drop_index(batch_op.f('ix_missing_report_channel_id'))

    op.drop_table('missing_report')
    with op.batch_alter_table('improvement_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_plan_status'))
        batch_op.drop_index(batch_op.f('ix_improvement_plan_channel_id'))

    op.drop_table('improvement_plan')
    op.drop_table('job_run')
    with op.batch_alter_table('evaluation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_run_month'))

    op.drop_table('evaluation_run')
    # ### end Alembic commands ###
