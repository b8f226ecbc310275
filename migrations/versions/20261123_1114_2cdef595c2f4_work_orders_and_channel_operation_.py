"""work orders (C4.6) and the message templates of channel operations (C4.1, C4.3–C4.6) and staff administration (S2)

Revision ID: 2cdef595c2f4
Revises: e25d824f628b
Create Date: 2026-11-23 11:14:28.629831

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2cdef595c2f4'
down_revision = 'e25d824f628b'
branch_labels = None
depends_on = None


TEMPLATES = {'account.role_granted': ('business',
                          '电子社保卡服务渠道管理系统',
                          '您的账号权限已变更',
                          '权限管理员 {admin} 已将您的账号 {username} 的角色设为“{role}”{jurisdiction}（S2）。',
                          ['admin', 'username', 'role', 'jurisdiction']),
 'account.role_withdrawn': ('business',
                            '电子社保卡服务渠道管理系统',
                            '您的账号权限已收回',
                            '权限管理员 {admin} 已收回您的账号 {username} 的角色“{role}”，原因：{reason}。如有疑问请联系本单位权限管理员（S2）。',
                            ['admin', 'username', 'role', 'reason']),
 'change.completed': ('business',
                      '电子社保卡平台运营机构',
                      '渠道 {channel} 变更已生效',
                      '变更申请 {number} 已办结。自 {effective} 起，渠道 {channel} 的服务地域为：{regions}；应用范围为：{services}（C4.1）。',
                      ['number', 'channel', 'effective', 'regions', 'services']),
 'maintenance.filed': ('business',
                       '{owner}',
                       '渠道 {channel} {kind}报备',
                       '{owner} 报备：渠道 {channel}（{channel_number}）{kind}，时间 {period}。说明：{description}（C4.4）',
                       ['owner', 'channel', 'channel_number', 'kind', 'period', 'description']),
 'notice.platform': ('notice',
                     '电子社保卡平台运营机构',
                     '【{kind}公告】{title}',
                     '{body}\n\n时间：{period}。请在门户中确认已知悉（C4.3）。',
                     ['kind', 'title', 'body', 'period']),
 'notice.reminder': ('notice',
                     '电子社保卡平台运营机构',
                     '请确认平台公告：{title}',
                     '平台公告“{title}”已于 {published} 发布，贵单位的渠道 {channels} 尚未确认已知悉，请尽快在门户中确认（C4.3）。',
                     ['title', 'published', 'channels']),
 'promotion.filed': ('business',
                     '{owner}',
                     '推广活动报备：{title}',
                     '{owner} 报备了渠道 {channel} 的推广活动“{title}”（{period}）。{review}（C4.5）',
                     ['owner', 'channel', 'title', 'period', 'review']),
 'promotion.review_requested': ('business',
                                '电子社保卡服务渠道管理系统',
                                '推广活动待审核：{title}',
                                '{owner} 的渠道 {channel} 拟开展推广活动“{title}”（{period}），使用了人社宣传用语，须经人社部门审核后方可开展（C4.5）。',
                                ['owner', 'channel', 'title', 'period']),
 'promotion.reviewed': ('business',
                        '{unit}',
                        '推广活动“{title}”审核结果：{result}',
                        '{unit}对渠道 {channel} 的推广活动“{title}”的审核意见：{result}。{opinion}',
                        ['unit', 'channel', 'title', 'result', 'opinion']),
 'work_order.answered': ('business',
                         '电子社保卡平台运营机构',
                         '工单 {number} 已答复',
                         '渠道 {channel} 的工单 {number}（{subject}）已答复：\n{answer}',
                         ['number', 'subject', 'channel', 'answer']),
 'work_order.assigned': ('business',
                         '电子社保卡平台运营机构',
                         '工单 {number} 已分派给您',
                         '{by} 将渠道 {channel} 的工单 {number}（{subject}）分派给您处理。',
                         ['by', 'number', 'subject', 'channel']),
 'work_order.closed': ('business',
                       '电子社保卡平台运营机构',
                       '工单 {number} 已关闭',
                       '渠道 {channel} 的工单 {number}（{subject}）已关闭。说明：{note}',
                       ['number', 'subject', 'channel', 'note']),
 'work_order.filed': ('business',
                      '{owner}',
                      '新工单 {number}：{subject}',
                      '{owner} 为渠道 {channel} 提交了工单 {number}：{subject}。请及时受理（C4.6）。',
                      ['owner', 'number', 'subject', 'channel']),
 'work_order.replied': ('business',
                        '电子社保卡服务渠道管理系统',
                        '工单 {number} 有新的补充说明',
                        '渠道 {channel} 对工单 {number}（{subject}）补充了说明，请处理（C4.6）。',
                        ['number', 'subject', 'channel'])}


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
    op.create_table('work_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False, comment='shown to users'),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'assigned', 'answered', 'closed', name='work_order_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False, comment='common_problem, public_opinion, malicious_…'),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('first_answered_at', sa.DateTime(), nullable=True, comment='S13: first response time'),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_work_order_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_work_order_channel_id_channel')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_work_order_filed_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_work_order_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order')),
    sa.UniqueConstraint('number', name=op.f('uq_work_order_number')),
    comment='A problem filed by a channel for the operator (C4.6); timings measured (S13).'
    )
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_status'), ['status'], unique=False)

    op.create_table('work_order_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False, comment='filed, assigned, answer, reply, tags, closed'),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_work_order_entry_author_id_user_account')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_work_order_entry_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order_entry')),
    comment='The thread of a work order: filing, assignment, answers, replies, tags, closing.'
    )
    with op.batch_alter_table('work_order_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_entry_work_order_id'), ['work_order_id'], unique=False)

    # ### end Alembic commands ###
    _seed()


def downgrade():
    op.execute(sa.text('DELETE FROM message_template WHERE code IN :codes').bindparams(sa.bindparam('codes', expanding=True)).bindparams(codes=list(TEMPLATES)))
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('work_order_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_entry_work_order_id'))

    op.drop_table('work_order_entry')
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_status'))
        batch_op.drop_index(batch_op.f('ix_work_order_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_created_at'))
        batch_op.drop_index(batch_op.f('ix_work_order_channel_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_assignee_id'))

    op.drop_table('work_order')
    # ### end Alembic commands ###
