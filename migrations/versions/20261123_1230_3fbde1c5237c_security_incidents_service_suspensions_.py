"""security incidents, service suspensions, rectifications, gateway refusals (C5.2, C5.5, C5.6); exits, provincial opinions and deletion certificates (C6)

Revision ID: 3fbde1c5237c
Revises: 94810be4ce34
Create Date: 2026-11-23 12:30:10.444910

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3fbde1c5237c'
down_revision = '94810be4ce34'
branch_labels = None
depends_on = None


TEMPLATES = {'exit.applied': ('business',
                  '电子社保卡服务渠道管理系统',
                  '渠道 {channel} 申请退出',
                  '渠道 {channel}（{channel_number}）申请自愿退出（{number}），请给出意见或审批（C6.2）。',
                  ['number', 'channel', 'channel_number', 'cause', 'transition_end']),
 'exit.completed': ('notice',
                    '电子社保卡平台运营机构',
                    '渠道 {channel} 已退出',
                    '渠道 {channel}（{channel_number}）的退出（{number}）已完成：接口已关闭，合作期间产生的原始信息已删除（C6.2、C6.5）。',
                    ['number', 'channel', 'channel_number', 'cause', 'transition_end']),
 'exit.decided': ('business',
                  '电子社保卡服务渠道管理系统',
                  '退出申请 {number} 审批结果：{result}',
                  '部信息中心对渠道 {channel} 的退出申请 {number} 的意见：{result}。',
                  ['number', 'channel', 'channel_number', 'cause', 'transition_end', 'result']),
 'exit.forced': ('business',
                 '电子社保卡服务渠道管理系统',
                 '渠道 {channel} 强制退出',
                 '渠道 {channel}（{channel_number}）已启动强制退出（{number}），原因：{cause}（C6.4）。',
                 ['number', 'channel', 'channel_number', 'cause', 'transition_end']),
 'exit.transition': ('notice',
                     '电子社保卡平台运营机构',
                     '渠道 {channel} 进入退出过渡期',
                     '渠道 {channel}（{channel_number}）的退出（{number}，{cause}）已生效，退出过渡期至 '
                     '{transition_end}。过渡期内请向存量用户推送通知、引导其使用其他渠道，并发布不少于15天的退出公告；过渡期结束后接口和门户将关闭（C6.2、C6.3）。',
                     ['number', 'channel', 'channel_number', 'cause', 'transition_end']),
 'incident.candidate': ('business',
                        '电子社保卡服务渠道管理系统',
                        '疑似异常：渠道 {channel}',
                        '网关监测到渠道 {channel}（{channel_number}）的异常请求，已生成待研判事件 {number}（{type}），请认定、调整级别或说明理由后不予认定（C5.6）。',
                        ['number', 'channel', 'channel_number', 'type', 'level', 'status']),
 'incident.confirmed': ('notice',
                        '电子社保卡平台运营机构',
                        '安全风险事件 {number} 已认定为 {level} 级',
                        '渠道 {channel}（{channel_number}）的安全风险事件 {number} 已认定：{type}（{level} 级），处置已生效。整改期限：{due}（C5.5）。',
                        ['number', 'channel', 'channel_number', 'type', 'level', 'status', 'due']),
 'incident.overdue': ('notice',
                      '电子社保卡服务渠道管理系统',
                      '安全风险事件 {number} 逾期未完成整改',
                      '渠道 {channel}（{channel_number}）的安全风险事件 {number}（{level} 级）整改期限 {due} 已过，尚未完成整改（C5.5）。',
                      ['number', 'channel', 'channel_number', 'type', 'level', 'status', 'due']),
 'incident.rectification_decided': ('business',
                                    '电子社保卡平台运营机构',
                                    '安全风险事件 {number} 整改核验：{result}',
                                    '渠道 {channel} 的安全风险事件 {number} 的整改报告核验结果：{result}。{opinion}',
                                    ['number',
                                     'channel',
                                     'channel_number',
                                     'type',
                                     'level',
                                     'status',
                                     'result',
                                     'opinion']),
 'incident.rectification_filed': ('business',
                                  '电子社保卡服务渠道管理系统',
                                  '安全风险事件 {number} 整改报告待核验',
                                  '渠道 {channel}（{channel_number}）提交了安全风险事件 {number} 的整改报告，请核验（C5.5）。',
                                  ['number', 'channel', 'channel_number', 'type', 'level', 'status']),
 'incident.reported': ('notice',
                       '电子社保卡服务渠道管理系统',
                       '安全风险事件 {number}：{channel}',
                       '渠道 {channel}（{channel_number}）的安全风险事件 {number} 已报告：{type}（{level} '
                       '级）。请平台运营机构及时认定和处置（C5.2、C5.5）。',
                       ['number', 'channel', 'channel_number', 'type', 'level', 'status']),
 'incident.restored': ('notice',
                       '电子社保卡平台运营机构',
                       '渠道 {channel} 已恢复服务',
                       '安全风险事件 {number} 整改通过，渠道 {channel}（{channel_number}）已恢复服务；考察期至 {observation_until}（C4.11、C5.5）。',
                       ['number', 'channel', 'channel_number', 'type', 'level', 'status', 'observation_until'])}


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
    op.create_table('gateway_refusal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_gateway_refusal_channel_id_channel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gateway_refusal')),
    comment='C5.6: every refused signed request that names a known key, by cause.'
    )
    with op.batch_alter_table('gateway_refusal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gateway_refusal_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gateway_refusal_channel_id'), ['channel_id'], unique=False)

    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('incident_type', sa.String(length=40), nullable=False, comment='a code of the C5.5 list'),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('discovered_at', sa.DateTime(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('anomaly', sa.JSON(), nullable=True, comment='C5.6: the refusal counts that opened it'),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False, comment='re-grading or dismissal reason'),
    sa.Column('rectification_due', sa.Date(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True, comment='rectification overdue: operator and national told'),
    sa.Column('restored_at', sa.DateTime(), nullable=True),
    sa.Column('observation_until', sa.Date(), nullable=True, comment='C4.11: 6 months of stable running after restore'),
    sa.Column('renewal_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('renewal_approved_at', sa.DateTime(), nullable=True, comment='C4.11: national center approval'),
    sa.CheckConstraint("source IN ('channel', 'operator', 'anomaly')", name=op.f('ck_incident_source')),
    sa.CheckConstraint("status IN ('reported', 'candidate', 'dismissed', 'rectifying', 'restored', 'terminated')", name=op.f('ck_incident_status')),
    sa.CheckConstraint('level IN (1, 2, 3)', name=op.f('ck_incident_level')),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_incident_channel_id_channel')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_incident_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['renewal_approved_by_id'], ['user_account.id'], name=op.f('fk_incident_renewal_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_incident_reported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('number', name=op.f('uq_incident_number')),
    comment='A security incident of a channel: graded by type (C5.5), confirmed before sanctions apply.'
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)

    op.create_table('channel_exit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('cause', sa.String(length=32), nullable=True, comment='forced: one of the C6.4 causes'),
    sa.Column('reason', sa.Text(), nullable=False, comment='voluntary: special reason; forced: evidence'),
    sa.Column('requested_date', sa.Date(), nullable=True, comment='voluntary: the exit date applied for'),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True, comment='null: the system'),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('national_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('national_decided_at', sa.DateTime(), nullable=True),
    sa.Column('national_opinion', sa.Text(), nullable=False),
    sa.Column('transition_start', sa.Date(), nullable=True),
    sa.Column('transition_end', sa.Date(), nullable=True),
    sa.Column('push_notice_confirmed_at', sa.DateTime(), nullable=True, comment='C6.3: users told of other channels'),
    sa.Column('announcement_url', sa.String(length=500), nullable=False),
    sa.Column('announcement_start', sa.Date(), nullable=True),
    sa.Column('announcement_end', sa.Date(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('parent_exit_id', sa.Integer(), nullable=True, comment='taken along (C6.6)'),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('voluntary', 'forced')", name=op.f('ck_channel_exit_kind')),
    sa.CheckConstraint("status IN ('consulting', 'approved', 'rejected', 'transition', 'completed')", name=op.f('ck_channel_exit_status')),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_channel_exit_channel_id_channel')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_channel_exit_filed_by_id_user_account')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_channel_exit_incident_id_incident')),
    sa.ForeignKeyConstraint(['national_decided_by_id'], ['user_account.id'], name=op.f('fk_channel_exit_national_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['parent_exit_id'], ['channel_exit.id'], name=op.f('fk_channel_exit_parent_exit_id_channel_exit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_exit')),
    sa.UniqueConstraint('number', name=op.f('uq_channel_exit_number')),
    comment='A voluntary or forced exit of a channel: decisions, transition, completion (C6.1–C6.4).'
    )
    with op.batch_alter_table('channel_exit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_exit_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_channel_exit_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_channel_exit_transition_end'), ['transition_end'], unique=False)

    op.create_table('incident_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_evidence_incident_id_incident')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_incident_evidence_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_incident_evidence_stored_name')),
    comment='Evidence files of an incident (stored like attachments).'
    )
    with op.batch_alter_table('incident_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_evidence_incident_id'), ['incident_id'], unique=False)

    op.create_table('rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name=op.f('ck_rectification_status')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_rectification_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_rectification_filed_by_id_user_account')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_rectification_incident_id_incident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification')),
    comment="A channel's rectification report for an incident and the operator's verification (C5.5)."
    )
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_incident_id'), ['incident_id'], unique=False)

    op.create_table('service_suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('service_code', sa.String(length=48), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('suspended_at', sa.DateTime(), nullable=False),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_service_suspension_channel_id_channel')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_service_suspension_incident_id_incident')),
    sa.ForeignKeyConstraint(['service_code'], ['service.code'], name=op.f('fk_service_suspension_service_code_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_suspension')),
    comment='C5.5 level 1: a service of a channel suspended until the incident is rectified.'
    )
    with op.batch_alter_table('service_suspension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_suspension_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_suspension_incident_id'), ['incident_id'], unique=False)

    op.create_table('deletion_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('exit_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True, comment='null: the deletion is still running (resumable)'),
    sa.Column('steps', sa.JSON(), nullable=False, comment='step name → rows or files removed'),
    sa.Column('sha256', sa.String(length=64), nullable=False, comment="digest of the certificate's content"),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_deletion_certificate_channel_id_channel')),
    sa.ForeignKeyConstraint(['exit_id'], ['channel_exit.id'], name=op.f('fk_deletion_certificate_exit_id_channel_exit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deletion_certificate')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_deletion_certificate_channel_id')),
    comment='C6.5: what was deleted of an exited channel, counts and files, when, by which exit.'
    )
    op.create_table('exit_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exit_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('agree', sa.Boolean(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_exit_opinion_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['exit_id'], ['channel_exit.id'], name=op.f('fk_exit_opinion_exit_id_channel_exit')),
    sa.ForeignKeyConstraint(['province_code'], ['region.code'], name=op.f('fk_exit_opinion_province_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exit_opinion')),
    sa.UniqueConstraint('exit_id', 'province_code', name='uq_exit_opinion_province'),
    comment="C6.2: a provincial info center's opinion on a voluntary exit."
    )
    with op.batch_alter_table('exit_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exit_opinion_exit_id'), ['exit_id'], unique=False)

    # ### end Alembic commands ###
    _seed()


def downgrade():
    op.execute(sa.text('DELETE FROM message_template WHERE code IN :codes').bindparams(sa.bindparam('codes', expanding=True)).bindparams(codes=list(TEMPLATES)))
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('exit_opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exit_opinion_exit_id'))

    op.drop_table('exit_opinion')
    op.drop_table('deletion_certificate')
    with op.batch_alter_table('service_suspension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_suspension_incident_id'))
        batch_op.drop_index(batch_op.f('ix_service_suspension_channel_id'))

    op.drop_table('service_suspension')
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_incident_id'))

    op.drop_table('rectification')
    with op.batch_alter_table('incident_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_evidence_incident_id'))

    op.drop_table('incident_evidence')
    with op.batch_alter_table('channel_exit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_exit_transition_end'))
        batch_op.drop_index(batch_op.f('ix_channel_exit_status'))
        batch_op.drop_index(batch_op.f('ix_channel_exit_channel_id'))

    op.drop_table('channel_exit')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index(batch_op.f('ix_incident_channel_id'))

    op.drop_table('incident')
    with op.batch_alter_table('gateway_refusal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gateway_refusal_channel_id'))
        batch_op.drop_index(batch_op.f('ix_gateway_refusal_at'))

    op.drop_table('gateway_refusal')
    # ### end Alembic commands ###
