"""agreement expiry digests: one message per owner and one operators' digest of the daily renewal check (issue 17)

Revision ID: 1bf988550a59
Revises: 0f4dd3793626
Create Date: 2026-11-28 10:36:42.000178

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1bf988550a59"
down_revision = "0f4dd3793626"
branch_labels = None
depends_on = None

TEMPLATES = {'agreement.expiring_digest': ('notice',
                               '电子社保卡平台运营机构',
                               '合作协议到期提醒：{count} 个渠道',
                               '以下渠道的合作协议即将到期（C4.11）：\n{channels}',
                               ['count', 'channels']),
 'agreement.expiring_operator_digest': ('notice',
                                        '电子社保卡服务渠道管理系统',
                                        '合作协议到期日检：{count} 个渠道的协议即将到期',
                                        '今日新提示到期的合作协议（C4.11），其中 {blocked} 个目前不能自动续签：\n{channels}',
                                        ['count', 'blocked', 'channels'])}


def upgrade():
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


def downgrade():
    op.execute(
        sa.text("DELETE FROM message_template WHERE code IN :codes")
        .bindparams(sa.bindparam("codes", expanding=True))
        .bindparams(codes=list(TEMPLATES))
    )
