"""Promotion verbs (C4.5): the owner reports a self-run promotion of a live channel before it starts; one that uses
HR&SS publicity wording goes to HR&SS review (the provincial center of one of the channel's provinces, or the national
center) and may start only once approved; after it has started the owner reports its form and results."""

import sqlalchemy as sa

from app.core import audit
from app.core.enums import ChannelStatus, PromotionStatus, Role
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.jurisdiction import get_channel, visible
from app.core.permissions import P, may
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.messaging.operations import send, send_to_operators
from app.modules.promotions.models import Promotion


def visible_promotions(user):
    """The promotions `user` reaches (registered in promotions/scope.py)."""
    return visible("promotion", user)


def get_promotion(user, promotion_id: int) -> Promotion:
    promotion = db.session.scalar(visible_promotions(user).where(Promotion.id == promotion_id))
    if promotion is None:
        raise NotFound("推广活动不存在", "No such promotion")
    return promotion


def may_start(promotion: Promotion) -> bool:
    """C4.5: a promotion without HR&SS wording may start as filed; one with it only once approved."""
    return promotion.status in (PromotionStatus.filed, PromotionStatus.approved, PromotionStatus.reported)


def snapshot(promotion: Promotion) -> dict:
    return {"status": str(promotion.status), "title": promotion.title, "uses_hrss_wording": promotion.uses_hrss_wording}


def _required(data: dict, *names: str) -> None:
    missing = {n: ["required"] for n in names if not str(data.get(n) or "").strip()}
    if missing:
        raise RuleViolation("请填写必填项", "Fill in the required fields", fields=missing)


def _check_dates(starts_on, ends_on) -> None:
    if starts_on < today():
        raise RuleViolation(
            "推广活动须在开始前报备（C4.5）",
            "A promotion is reported before it starts (C4.5)",
            code="C4.5",
            fields={"starts_on": ["in the past"]},
        )
    if ends_on < starts_on:
        raise RuleViolation(
            "结束日期不能早于开始日期", "The end is before the start", fields={"ends_on": ["before start"]}
        )


def _reviewer_ids(channel) -> list[int]:
    provinces = {r.province_code for r in channel.regions}
    query = sa.select(User.id).where(
        User.active,
        sa.or_(
            User.role == Role.national_reviewer,
            sa.and_(User.role == Role.provincial_reviewer, User.region_code.in_(provinces)),
        ),
    )
    return list(db.session.scalars(query.order_by(User.id)))


@transactional
def file_promotion(user, channel_id: int, data: dict) -> Promotion:
    """C4.5: report a promotion of a live channel to the operator; HR&SS wording sends it to HR&SS review."""
    channel = get_channel(user, channel_id)
    if not may(user, P.promotion_file):
        raise NotFound()
    _required(data, "title", "description")
    flagged = bool(data.get("uses_hrss_wording"))
    if flagged:
        _required(data, "wording")
    _check_dates(data["starts_on"], data["ends_on"])
    if channel.status != ChannelStatus.live:
        raise Conflict("只有已正式入网的渠道报备推广活动", "Only a live channel reports promotions", code="C4.5")
    promotion = Promotion(
        channel_id=channel.id,
        organisation_id=channel.owner_id,
        title=data["title"].strip(),
        description=data["description"].strip(),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        uses_hrss_wording=flagged,
        wording=(data.get("wording") or "").strip() if flagged else "",
        status=PromotionStatus.hrss_review if flagged else PromotionStatus.filed,
        filed_by_id=user.id,
    )
    db.session.add(promotion)
    db.session.flush()
    audit.record("promotion.file", promotion, actor=user, after=snapshot(promotion))
    context = {
        "owner": channel.owner.name,
        "channel": channel.name,
        "title": promotion.title,
        "period": f"{promotion.starts_on} 至 {promotion.ends_on}",
    }
    review = "使用了人社宣传用语，须经人社部门审核通过后方可开展" if flagged else "未使用人社宣传用语"
    send_to_operators("promotion.filed", context | {"review": review}, promotion)
    if flagged:
        for reviewer_id in _reviewer_ids(channel):
            send("promotion.review_requested", context, promotion, user_id=reviewer_id)
    return promotion


def review_refusal(user, promotion: Promotion):
    if not may(user, P.promotion_review):
        return Forbidden("人社部门（省级或部信息中心）审核推广活动", "HR&SS (provincial or national center) reviews")
    if promotion.status != PromotionStatus.hrss_review:
        return Conflict(
            f"该推广活动状态为“{promotion.status.title_zh}”，无需审核",
            f"The promotion is {promotion.status.title_en.lower()}; there is nothing to review",
            code="not_in_review",
        )
    return None


@transactional
def review_promotion(user, promotion_id: int, approve: bool, opinion: str) -> Promotion:
    """C4.5: HR&SS approves or rejects the use of its publicity wording (a rejection gives reasons)."""
    promotion = get_promotion(user, promotion_id)
    refusal = review_refusal(user, promotion)
    if refusal:
        raise refusal
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise RuleViolation("不同意时须说明理由", "Give the reasons for a rejection", fields={"opinion": ["required"]})
    before = snapshot(promotion)
    unit = f"{user.region.name_zh}{user.role.title_zh}" if user.region is not None else user.role.title_zh
    won = db.session.execute(
        sa.update(Promotion)
        .where(Promotion.id == promotion.id, Promotion.status == PromotionStatus.hrss_review)
        .values(
            status=PromotionStatus.approved if approve else PromotionStatus.rejected,
            reviewer_id=user.id,
            review_unit=unit[:100],
            review_opinion=opinion,
            reviewed_at=utcnow(),
        )
    )
    if won.rowcount != 1:
        raise Conflict("已被他人审核", "Someone else reviewed it first", code="already_decided")
    db.session.refresh(promotion)
    audit.record("promotion.review", promotion, actor=user, before=before, after=snapshot(promotion))
    context = {
        "unit": unit,
        "channel": promotion.channel.name,
        "title": promotion.title,
        "result": "同意" if approve else "不同意，活动不得使用人社宣传用语开展",
        "opinion": opinion,
    }
    send("promotion.reviewed", context, promotion, organisation_id=promotion.organisation_id)
    return promotion


@transactional
def report_results(user, promotion_id: int, data: dict) -> Promotion:
    """C4.5: once the promotion has started, the owner reports how it ran and what it achieved."""
    promotion = get_promotion(user, promotion_id)
    if not may(user, P.promotion_file):
        raise NotFound()
    _required(data, "result_form", "result_summary")
    if not may_start(promotion) or promotion.status == PromotionStatus.reported:
        raise Conflict(
            f"该推广活动状态为“{promotion.status.title_zh}”，不能报告结果",
            f"The promotion is {promotion.status.title_en.lower()}; no results can be reported",
            code="C4.5",
        )
    if today() < promotion.starts_on:
        raise Conflict("活动开始后方可报告结果", "Results are reported once the promotion has started", code="C4.5")
    before = snapshot(promotion)
    promotion.result_form, promotion.result_summary = data["result_form"].strip(), data["result_summary"].strip()
    promotion.participants = data.get("participants")
    promotion.status, promotion.reported_at = PromotionStatus.reported, utcnow()
    audit.record("promotion.report", promotion, actor=user, before=before, after=snapshot(promotion))
    return promotion
