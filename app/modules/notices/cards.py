"""Workbench card of the channel (C4.3): platform notices its channels have not yet acknowledged."""

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.modules.notices.models import NoticeRecipient, PlatformNotice


def to_acknowledge(user):
    query = (
        sa.select(NoticeRecipient)
        .join(PlatformNotice, PlatformNotice.id == NoticeRecipient.notice_id)
        .where(NoticeRecipient.organisation_id == user.organisation_id, NoticeRecipient.acknowledged_at.is_(None))
    )
    return card_from(
        query,
        key="notices.acknowledge",
        title=("待确认的平台公告", "Platform notices to acknowledge"),
        url=url_for("notices.notices"),
        item=lambda r: Item(
            f"{r.notice.title} · {r.channel.name}",
            url_for("notices.notice_detail", notice_id=r.notice_id),
            since=r.notice.published_at,
        ),
        order_by=(NoticeRecipient.id,),
        load=(joinedload(NoticeRecipient.notice), joinedload(NoticeRecipient.channel)),
        hint=("阅读后逐个渠道确认（C4.3）", "Read and acknowledge for each channel (C4.3)"),
    )


register_card("notices.acknowledge", to_acknowledge, permission=P.notice_acknowledge, order=15)
