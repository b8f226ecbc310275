"""security report digests: one message per owner and one operators' digest of the daily check (issue 17)

Revision ID: 0f4dd3793626
Revises: 446351405cae
Create Date: 2026-11-28 09:15:13.340074

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0f4dd3793626"
down_revision = "446351405cae"
branch_labels = None
depends_on = None

TEMPLATES = {'security_report.digest': ('notice',
                            '电子社保卡平台运营机构',
                            '安全检测报告提醒：{count} 个渠道需处理',
                            '以下渠道的安全检测报告即将到期或已没有有效报告。请及时委托具备资质的检测机构重新检测并提交报告（C5.3）；未按时检测的渠道可能被强制退出（C6.4）。\n{channels}',
                            ['count', 'channels']),
 'security_report.operator_digest': ('notice',
                                     '电子社保卡服务渠道管理系统',
                                     '安全检测报告日检：{expiring} 个即将到期，{overdue} 个无有效报告',
                                     '今日安全检测报告检查新标记的渠道（C5.3）：{expiring} 个报告即将到期，{overdue} 个没有有效报告。\n{channels}',
                                     ['expiring', 'overdue', 'channels'])}


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
