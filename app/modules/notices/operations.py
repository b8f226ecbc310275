"""Notice verbs. C4.3: the operator publishes a platform notice to every channel or a selection (category, region,
level); each channel acknowledges; the operator sees who has not; a reminder goes out once after
NOTICE_REMINDER_HOURS. C4.4: a channel announces its own maintenance, suspension or restoration in advance; the
operator sees them on a calendar."""

from collections import defaultdict
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import ChannelCategory, NoticeKind
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.jurisdiction import get_channel, visible
from app.core.permissions import P, may
from app.core.timeutil import from_local, local, today, utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.channels.models import Channel, channel_region
from app.modules.channels.rules import CONNECTED
from app.modules.messaging.operations import send, send_to_operators
from app.modules.notices.models import ChannelNotice, NoticeRecipient, PlatformNotice
from app.modules.regions.models import Region
from app.modules.regions.operations import get_regions

# Channels connected to the platform: from integration testing until exit.
# C4.4: what a channel announces of its own.
CHANNEL_KINDS = (NoticeKind.maintenance, NoticeKind.suspension, NoticeKind.restoration)


def _period(starts_at, ends_at) -> str:
    if starts_at is None:
        return "即日起"
    return f"{local(starts_at)} 至 {local(ends_at)}" if ends_at else f"{local(starts_at)} 起"


def _check_period(starts_at, ends_at) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise RuleViolation(
            "结束时间须晚于开始时间", "The end must be after the start", fields={"ends_at": ["before start"]}
        )


def _check_selection(categories, region_codes, levels) -> None:
    bad = [c for c in categories if c not in ChannelCategory.__members__]
    if bad:
        raise RuleViolation(
            f"未知的渠道类别：{', '.join(bad)}",
            f"Unknown channel categories: {', '.join(bad)}",
            fields={"categories": bad},
        )
    if any(level not in (1, 2) for level in levels):
        raise RuleViolation("渠道级别只能是 1 或 2", "A level is 1 or 2", fields={"levels": ["1 or 2"]})
    get_regions(region_codes, "region_codes")


def selected_channels(categories, region_codes, levels):
    """C4.3: the connected channels of the selection (set-based; an empty criterion selects all). A province selects
    every channel granted the province or one of its cities."""
    query = sa.select(Channel.id, Channel.owner_id).where(Channel.status.in_(CONNECTED))
    if categories:
        query = query.where(Channel.category.in_(categories))
    if levels:
        query = query.where(Channel.level.in_(levels))
    if region_codes:
        query = query.where(
            sa.exists().where(
                channel_region.c.channel_id == Channel.id,
                channel_region.c.region_code == Region.code,
                sa.or_(Region.code.in_(region_codes), Region.parent_code.in_(region_codes)),
            )
        )
    return db.session.execute(query.order_by(Channel.id)).all()


def notice_snapshot(notice: PlatformNotice) -> dict:
    return {
        "kind": str(notice.kind),
        "title": notice.title,
        "categories": notice.categories,
        "region_codes": notice.region_codes,
        "levels": notice.levels,
        "recipients": len(notice.recipients),
    }


@transactional
def publish_notice(user, data: dict) -> PlatformNotice:
    """C4.3: publish to the selected connected channels; every owner gets the notice in its inbox (S1)."""
    if not may(user, P.notice_publish):
        raise Forbidden("只有平台运营机构发布平台公告", "Only the platform operator publishes platform notices")
    categories, region_codes = list(data.get("categories") or []), list(data.get("region_codes") or [])
    levels = [int(level) for level in data.get("levels") or []]
    _check_selection(categories, region_codes, levels)
    _check_period(data.get("starts_at"), data.get("ends_at"))
    targets = selected_channels(categories, region_codes, levels)
    if not targets:
        raise RuleViolation(
            "所选范围内没有已接入的渠道",
            "No connected channel matches the selection",
            code="C4.3",
            fields={"categories": ["empty"]},
        )
    notice = PlatformNotice(
        kind=NoticeKind(data["kind"]),
        title=data["title"].strip(),
        body=data["body"].strip(),
        starts_at=data.get("starts_at"),
        ends_at=data.get("ends_at"),
        categories=categories,
        region_codes=region_codes,
        levels=levels,
        published_by_id=user.id,
    )
    notice.recipients = [NoticeRecipient(channel_id=cid, organisation_id=oid) for cid, oid in targets]
    db.session.add(notice)
    db.session.flush()
    audit.record("notice.publish", notice, after=notice_snapshot(notice), actor=user)
    context = {
        "kind": notice.kind.title_zh,
        "title": notice.title,
        "body": notice.body,
        "period": _period(notice.starts_at, notice.ends_at),
    }
    for organisation_id in sorted({oid for _cid, oid in targets}):
        send("notice.platform", context, notice, organisation_id=organisation_id)
    return notice


def visible_notices(user):
    """The operator and the auditor see every notice; a company the notices sent to its channels (notices/scope.py)."""
    return visible("platform_notice", user)


def get_notice(user, notice_id: int) -> PlatformNotice:
    notice = db.session.scalar(visible_notices(user).where(PlatformNotice.id == notice_id))
    if notice is None:
        raise NotFound("公告不存在", "No such notice")
    return notice


def recipients_of(user, notice: PlatformNotice, unacknowledged_only: bool = False) -> list[NoticeRecipient]:
    """Who the notice went to — for a company only its own channels; optionally only who has not acknowledged."""
    query = sa.select(NoticeRecipient).where(NoticeRecipient.notice_id == notice.id)
    if not may(user, P.notice_publish):  # a recipient sees only its own rows
        query = query.where(NoticeRecipient.organisation_id == user.organisation_id)
    if unacknowledged_only:
        query = query.where(NoticeRecipient.acknowledged_at.is_(None))
    return list(db.session.scalars(query.order_by(NoticeRecipient.id)))


@transactional
def acknowledge(user, notice_id: int, channel_id: int) -> NoticeRecipient:
    """C4.3: the channel's owner confirms it has read the notice; a second confirmation changes nothing. Another
    company's channel is not found."""
    notice = get_notice(user, notice_id)
    recipient = db.session.scalar(
        sa.select(NoticeRecipient).where(
            NoticeRecipient.notice_id == notice.id,
            NoticeRecipient.channel_id == channel_id,
            NoticeRecipient.organisation_id == user.organisation_id,
        )
    )
    if recipient is None or not may(user, P.notice_acknowledge):
        raise NotFound("该公告未发送给此渠道", "This notice was not sent to that channel")
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at, recipient.acknowledged_by_id = utcnow(), user.id
        audit.record("notice.acknowledge", recipient, actor=user, after={"notice": notice.id, "channel": channel_id})
    return recipient


def acknowledgement_counts(notice_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(acknowledged, total) per notice, in one query."""
    rows = db.session.execute(
        sa.select(
            NoticeRecipient.notice_id,
            sa.func.count(NoticeRecipient.acknowledged_at),
            sa.func.count(),
        )
        .where(NoticeRecipient.notice_id.in_(notice_ids))
        .group_by(NoticeRecipient.notice_id)
    )
    return {nid: (acked, total) for nid, acked, total in rows}


@transactional
def send_reminders(now: datetime | None = None) -> int:
    """C4.3: once NOTICE_REMINDER_HOURS have passed, each owner with unacknowledged channels gets one reminder per
    notice naming them; each recipient is reminded once. Returns the number of reminders sent (idempotent)."""
    now = now or utcnow()
    due = now - timedelta(hours=current_app.config["NOTICE_REMINDER_HOURS"])
    rows = db.session.scalars(
        sa.select(NoticeRecipient)
        .join(PlatformNotice)
        .where(
            NoticeRecipient.acknowledged_at.is_(None),
            NoticeRecipient.reminded_at.is_(None),
            PlatformNotice.published_at <= due,
        )
        .order_by(NoticeRecipient.id)
    ).all()
    groups: dict[tuple[int, int], list[NoticeRecipient]] = defaultdict(list)
    for recipient in rows:
        groups[(recipient.notice_id, recipient.organisation_id)].append(recipient)
    for (_notice_id, organisation_id), recipients in groups.items():
        notice = recipients[0].notice
        context = {
            "title": notice.title,
            "published": local(notice.published_at),
            "channels": "、".join(r.channel.name for r in recipients),
        }
        send("notice.reminder", context, notice, organisation_id=organisation_id)
        for recipient in recipients:
            recipient.reminded_at = now
    if groups:
        audit.record(
            "notice.remind",
            None,
            object_type="notice_recipient",
            object_id="batch",
            after={"reminders": len(groups), "recipients": [r.id for r in rows]},
        )
    return len(groups)


# C4.4 ------------------------------------------------------------------------------------------------------------


@transactional
def file_channel_notice(user, channel_id: int, data: dict) -> ChannelNotice:
    """C4.4: the owner announces a maintenance, suspension or restoration of a connected channel in advance: the
    start must lie at least MAINTENANCE_MIN_LEAD_HOURS in the future. The operator is told."""
    channel = get_channel(user, channel_id)
    if not may(user, P.maintenance_file):
        raise NotFound()
    kind = NoticeKind(data["kind"])
    if kind not in CHANNEL_KINDS:
        raise RuleViolation(
            "渠道可报备维护、暂停服务或恢复服务",
            "A channel announces maintenance, suspension or restoration",
            fields={"kind": ["invalid"]},
        )
    starts_at, ends_at = data["starts_at"], data.get("ends_at")
    lead = timedelta(hours=current_app.config["MAINTENANCE_MIN_LEAD_HOURS"])
    if starts_at <= utcnow() + lead:
        raise RuleViolation(
            "开始时间须在将来：须提前报备（C4.4）",
            "The start must lie in the future: announce in advance (C4.4)",
            code="C4.4",
            fields={"starts_at": ["not in the future"]},
        )
    _check_period(starts_at, ends_at)
    if channel.status not in CONNECTED:
        raise Conflict(
            f"渠道当前状态为“{channel.status.title_zh}”，无需报备",
            f"The channel is {channel.status.title_en.lower()}; there is nothing to announce",
            code="C4.4",
        )
    notice = ChannelNotice(
        channel_id=channel.id,
        organisation_id=channel.owner_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        description=data["description"].strip(),
        filed_by_id=user.id,
    )
    db.session.add(notice)
    db.session.flush()
    audit.record("channel_notice.file", notice, actor=user, after={"channel": channel.id, "kind": str(kind)})
    context = {
        "owner": channel.owner.name,
        "channel": channel.name,
        "channel_number": channel.channel_number or "-",
        "kind": kind.title_zh,
        "period": _period(starts_at, ends_at),
        "description": notice.description,
    }
    send_to_operators("maintenance.filed", context, notice)
    return notice


def visible_channel_notices(user):
    """Registered in notices/scope.py."""
    return visible("channel_notice", user)


def month_bounds(text: str | None) -> tuple[datetime, datetime]:
    """The UTC bounds of a local calendar month given as YYYY-MM (default: this month)."""
    try:
        first = datetime.strptime(text, "%Y-%m") if text else datetime.combine(today().replace(day=1), time())
    except ValueError as exc:
        raise RuleViolation("月份格式为 YYYY-MM", "The month is YYYY-MM", fields={"month": ["YYYY-MM"]}) from exc
    if not 2000 <= first.year <= 2199:
        raise RuleViolation("月份超出范围", "The month is out of range", fields={"month": ["out of range"]})
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return from_local(first), from_local(following)


def calendar(user, start: datetime, end: datetime) -> list[ChannelNotice]:
    """C4.4: the channel notices whose period overlaps [start, end), in start order (a notice without an end
    counts on its start day)."""
    query = visible_channel_notices(user).where(
        ChannelNotice.starts_at < end,
        sa.func.coalesce(ChannelNotice.ends_at, ChannelNotice.starts_at) >= start,
    )
    return list(db.session.scalars(query.order_by(ChannelNotice.starts_at, ChannelNotice.id)))
