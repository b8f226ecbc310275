"""agreement decision digests: one message per owner and one operators' digest when terms end (issue 17)

Revision ID: b5c3ddcddae8
Revises: d914045240ae
Create Date: 2026-11-28 12:02:33.148443

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5c3ddcddae8'
down_revision = 'd914045240ae'
branch_labels = None
depends_on = None

TEMPLATES = {
    "agreement.decided_digest": (
        "notice",
        "电子社保卡平台运营机构",
        "合作协议到期处理结果：{count} 个渠道",
        "以下渠道的合作协议已到期，处理结果如下（C4.11；未续签的渠道列入强制退出，C6.4）：\n{channels}",
        ["count", "channels"],
    ),
    "agreement.decided_operator_digest": (
        "notice",
        "电子社保卡服务渠道管理系统",
        "合作协议到期处理：续签 {renewed} 个，未续签 {not_renewed} 个",
        "今日处理到期的合作协议（C4.11），未续签的渠道已列入强制退出（C6.4）：\n{channels}",
        ["renewed", "not_renewed", "channels"],
    ),
}


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
