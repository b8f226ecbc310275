"""Workbench card of the provincial and national centers (C4.5): promotions using HR&SS wording, waiting for review."""

from flask import url_for

from app.core.enums import PromotionStatus
from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.modules.promotions.models import Promotion
from app.modules.promotions.operations import visible_promotions


def to_review(user):
    query = visible_promotions(user).where(Promotion.status == PromotionStatus.hrss_review)
    return card_from(
        query,
        key="promotions.review",
        title=("待审核的推广活动", "Promotions to review"),
        url=url_for("promotions.promotions"),
        item=lambda p: Item(
            f"{p.title} · {p.channel.name}", url_for("promotions.promotion_detail", promotion_id=p.id), due=p.starts_on
        ),
        order_by=(Promotion.starts_on, Promotion.id),
        hint=("使用人社宣传用语的推广活动须审核（C4.5）", "Promotions using HR&SS wording need review (C4.5)"),
    )


register_card("promotions.review", to_review, permission=P.promotion_review, order=35)
