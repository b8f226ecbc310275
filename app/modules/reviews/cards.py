"""Workbench card of the municipal, provincial and national centers (C2.6, S13): the steps waiting for their
decision in their jurisdiction, oldest first, with the days each has waited."""

from flask import url_for
from sqlalchemy.orm import contains_eager

from app.core.i18n import current_locale
from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.scope import review_queue


def _item(step: ReviewStep) -> Item:
    place = f" · {step.region.name(current_locale())}" if step.region is not None else ""
    label = f"{step.application.number} · {step.application.applicant.name}{place}"
    return Item(label, url_for("reviews.decide", step_id=step.id), since=step.opened_at)


def waiting_steps(user):
    query = review_queue(user).options(contains_eager(ReviewStep.application))
    return card_from(
        query,
        key="reviews.waiting",
        title=("待我审核的申请", "Applications waiting for my review"),
        url=url_for("reviews.queue"),
        item=_item,
        order_by=(ReviewStep.opened_at, ReviewStep.id),
        hint=("按到达顺序审核；已等待天数见右侧（S13）", "Decide in order of arrival; days waited on the right (S13)"),
    )


register_card("reviews.waiting", waiting_steps, permission=P.review_decide, order=10)
