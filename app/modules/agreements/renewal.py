"""Agreement renewal at expiry (C4.11).

Daily: an agreement term ending within AGREEMENT_EXPIRY_WARNING_DAYS is announced to the owner once, with what
renewal will need. On the day the term ends: with no open alert (C4.9, C4.10), no objection and no incident awaiting
its observation period, it extends by another term (AGREEMENT_TERM_MONTHS) automatically; an alerted channel is
renewed only if the operator has approved its improvement plan since the alert; otherwise it is not renewed and the
channel is marked for forced exit (C6.4). A channel with a level-1 or level-2 incident renews only after
rectification, a stable 6-month observation period and the national center's approval. Those two checks are
registered by their domains (`register_renewal_blocker`)."""

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.permissions import P, may
from app.core.timeutil import utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.agreements.models import Agreement, AgreementRenewal
from app.modules.agreements.rules import add_months
from app.modules.channels.models import Channel
from app.modules.channels.rules import MONITORED
from app.modules.messaging.operations import listing, send_owner_digests, send_to_operators

# C4.11: what else keeps a term from renewing by itself — registered by monitoring (an alert without an approved
# improvement plan) and incidents (a level-1/2 incident before rectification, observation and national approval).
BLOCKERS: list = []


def register_renewal_blocker(order: int, blocker) -> None:
    """`blocker(channels, on) -> {channel id: reason}`: why these channels' terms may not renew by themselves (a
    constant number of statements for any number of channels); asked in `order`, the first reason given is the one
    recorded."""
    BLOCKERS[:] = sorted([b for b in BLOCKERS if b[1] is not blocker] + [(order, blocker)], key=lambda b: b[0])


def renewal_blockers(channels: list[Channel], renewals: dict, on: date) -> dict[int, str]:
    """Why each channel's term may not renew automatically (channels absent: it may); `renewals` by channel id."""
    reasons = {
        channel.id: f"运营机构提出异议：{renewals[channel.id].objection}"
        for channel in channels
        if renewals.get(channel.id) is not None and renewals[channel.id].objection
    }
    for _order, blocker in BLOCKERS:
        for channel_id, reason in blocker(channels, on).items():
            reasons.setdefault(channel_id, reason)
    return reasons


def renewal_blocker(channel: Channel, renewal: AgreementRenewal | None, on: date) -> str | None:
    """Why the term may not renew automatically, or None."""
    return renewal_blockers([channel], {channel.id: renewal}, on).get(channel.id)


def _terms_due(on: date, horizon: date) -> list[tuple[Channel, Agreement]]:
    """(channel, its latest countersigned agreement) for monitored channels whose term ends by `horizon`."""
    rows = db.session.execute(
        sa.select(Channel, Agreement)
        .join(Agreement, Agreement.channel_id == Channel.id)
        .where(Channel.status.in_(MONITORED), Agreement.countersigned_at.is_not(None), Agreement.term_end.is_not(None))
        .order_by(Agreement.term_end)
    ).all()
    latest = {}
    for channel, agreement in rows:
        latest[channel.id] = (channel, agreement)
    return [(c, a) for c, a in latest.values() if a.term_end <= horizon]


def _renewals(agreements: list[Agreement]) -> dict[int, AgreementRenewal]:
    """The renewal record of each agreement's current term, by agreement id (one statement)."""
    if not agreements:
        return {}
    ends = {a.id: a.term_end for a in agreements}
    rows = db.session.scalars(sa.select(AgreementRenewal).where(AgreementRenewal.agreement_id.in_(list(ends))))
    return {r.agreement_id: r for r in rows if r.term_end == ends[r.agreement_id]}


def _warn_all(due: list, renewals: dict, blockers: dict, now) -> None:
    """Announce the ends of these terms (C4.11), each once: the renewal records written or marked in one statement
    each; each owner gets one message listing its channels, each operator one digest."""
    table = AgreementRenewal.__table__
    new = [
        dict(
            agreement_id=a.id,
            channel_id=c.id,
            term_end=a.term_end,
            outcome="pending",
            warned_at=now,
            objection="",
            reason="",
        )
        for c, a in due
        if a.id not in renewals
    ]
    if new:
        db.session.execute(sa.insert(table), new)
    known = [renewals[a.id].id for _c, a in due if a.id in renewals]
    if known:
        db.session.execute(sa.update(table).where(table.c.id.in_(known)).values(warned_at=now))
    by_owner: dict[int, list[str]] = {}
    lines = []  # in the order the terms end
    for channel, agreement in due:
        blocker = blockers.get(channel.id)
        condition = f"目前不能自动续签：{blocker}。" if blocker else "届时如无告警、安全事件和异议，将自动续签一年。"
        line = f"· {channel.name}（{channel.channel_number}）：合作协议将于 {agreement.term_end} 到期。{condition}"
        by_owner.setdefault(channel.owner_id, []).append(line)
        lines.append(line)
    send_owner_digests("agreement.expiring_digest", by_owner, PAGE)
    context = {"count": len(due), "blocked": sum(1 for c, _a in due if c.id in blockers)}
    send_to_operators("agreement.expiring_operator_digest", context | {"channels": listing(lines, PAGE)})


PAGE = "合作协议页面"


RENEWED = "无告警、无安全事件、无异议，自动续签"


def _outcome(agreement: Agreement, blocker: str | None, months: int) -> tuple[str, date | None, str]:
    """(outcome, new term end, reason) of a term that has ended."""
    if blocker is not None:
        return "not_renewed", None, blocker
    return "renewed", add_months(agreement.term_end + timedelta(days=1), months) - timedelta(days=1), RENEWED


def _record_outcomes(decided: list, renewals: dict, now) -> None:
    """The renewal records of the decided terms: the existing ones updated, the missing ones inserted (one statement
    each)."""
    table = AgreementRenewal.__table__
    known = [
        {"renewal_id": renewals[a.id].id, "new_outcome": o, "new_end": end, "new_reason": why}
        for _c, a, o, end, why in decided
        if a.id in renewals
    ]
    if known:
        db.session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("renewal_id"))
            .values(
                outcome=sa.bindparam("new_outcome"),
                new_term_end=sa.bindparam("new_end"),
                reason=sa.bindparam("new_reason"),
                decided_at=now,
            ),
            known,
        )
    new = [
        dict(
            agreement_id=a.id,
            channel_id=c.id,
            term_end=a.term_end,
            outcome=o,
            warned_at=None,
            objection="",
            decided_at=now,
            new_term_end=end,
            reason=why,
        )
        for c, a, o, end, why in decided
        if a.id not in renewals
    ]
    if new:
        db.session.execute(sa.insert(table), new)


def _apply_outcomes(decided: list, now) -> None:
    """Renewed terms extended, channels not renewed marked for forced exit (C6.4): one statement each."""
    table = Agreement.__table__
    extended = [
        {"owner_channel": c.id, "old_end": a.term_end, "new_end": end}
        for c, a, o, end, _why in decided
        if o == "renewed"
    ]
    if extended:
        db.session.execute(
            table.update()
            .where(table.c.channel_id == sa.bindparam("owner_channel"), table.c.term_end == sa.bindparam("old_end"))
            .values(term_end=sa.bindparam("new_end")),
            extended,
        )
    refused = [c.id for c, _a, o, _end, _why in decided if o == "not_renewed"]
    if refused:
        db.session.execute(
            sa.update(Channel.__table__)
            .where(Channel.__table__.c.id.in_(refused))
            .values(forced_exit_cause="agreement_not_renewed", forced_exit_marked_at=now)
        )


def _announce_outcomes(decided: list) -> None:
    """Each owner one message listing its channels' outcomes, each operator one digest with the channels not renewed
    first (C4.11, C6.4)."""
    by_owner: dict[int, list[str]] = {}
    lines = {"not_renewed": [], "renewed": []}
    for channel, agreement, outcome, end, why in decided:
        result = f"已续签，新的协议期限至 {end}" if outcome == "renewed" else f"未续签（{why}），已列入强制退出"
        line = f"· {channel.name}（{channel.channel_number}）：合作协议于 {agreement.term_end} 到期，{result}。"
        by_owner.setdefault(channel.owner_id, []).append(line)
        lines[outcome].append(line)
    send_owner_digests("agreement.decided_digest", by_owner, PAGE)
    context = {
        "renewed": len(lines["renewed"]),
        "not_renewed": len(lines["not_renewed"]),
        "channels": listing(lines["not_renewed"] + lines["renewed"], PAGE),
    }
    send_to_operators("agreement.decided_operator_digest", context)


def _decide_all(ended: list, renewals: dict, blockers: dict, now) -> dict[str, int]:
    """C4.11 on the day terms end (or the first day after, if missed): each renews by itself unless something blocks
    it, in which case the channel is marked for forced exit (C6.4) — for any number of terms in a constant number of
    statements (an imported cohort may end all on one day). `renewals` by agreement id."""
    months = current_app.config["AGREEMENT_TERM_MONTHS"]
    decided = [(c, a, *_outcome(a, blockers.get(c.id), months)) for c, a in ended]
    _record_outcomes(decided, renewals, now)
    _apply_outcomes(decided, now)
    for outcome in ("renewed", "not_renewed"):
        items = [
            (a.id, None, {"channel": c.id, "term_end": str(a.term_end), "reason": why})
            for c, a, o, _end, why in decided
            if o == outcome
        ]
        audit.record_batch(f"agreement.{outcome}", "agreement", items, None)
    _announce_outcomes(decided)
    for channel, agreement, *_rest in decided:  # the loaded objects follow the rows written
        for row in (channel, agreement, renewals.get(agreement.id)):
            if row is not None:
                db.session.expire(row)
    return dict(Counter(outcome for _c, _a, outcome, _end, _why in decided))


@transactional
def check_renewals(on: date) -> dict:
    """C4.11, daily: warn once ahead of expiry; decide on the day a term has ended (and any day after, if missed).
    The terms due, their renewal records and what blocks them are read, the decisions and the warnings written and
    sent, in a constant number of statements whatever the number of channels."""
    horizon = on + timedelta(days=current_app.config["AGREEMENT_EXPIRY_WARNING_DAYS"])
    due = _terms_due(on, horizon)
    renewals = _renewals([a for _c, a in due])
    ended, warn = [], []
    for channel, agreement in due:
        renewal = renewals.get(agreement.id)
        if agreement.term_end < on and (renewal is None or renewal.outcome == "pending"):
            ended.append((channel, agreement))
        elif agreement.term_end >= on and (renewal is None or renewal.warned_at is None):
            warn.append((channel, agreement))
    by_channel = {c.id: renewals.get(a.id) for c, a in ended + warn}
    blockers = renewal_blockers([c for c, _a in ended + warn], by_channel, on)
    counts = _decide_all(ended, renewals, blockers, utcnow()) if ended else {}
    if warn:
        _warn_all(warn, renewals, blockers, utcnow())
        counts["warned"] = len(warn)
    return dict(counts)


@transactional
def object_to_renewal(user, channel: Channel, objection: str) -> AgreementRenewal:
    """C4.11 "no objection": the operator objects to the automatic renewal of a channel's current term, with reasons."""
    if not may(user, P.agreement_manage):
        raise Forbidden("只有平台运营机构可以提出续签异议", "Only the platform operator objects to a renewal")
    objection = (objection or "").strip()
    if not objection:
        raise RuleViolation("请说明异议理由", "Give the reasons", fields={"objection": ["required"]})
    current = db.session.scalar(
        sa.select(Agreement)
        .where(Agreement.channel_id == channel.id, Agreement.term_end.is_not(None))
        .order_by(Agreement.term_end.desc())
    )
    if current is None:
        raise NotFound("该渠道没有生效的合作协议", "The channel has no agreement in force")
    renewal = _renewals([current]).get(current.id) or AgreementRenewal(
        agreement_id=current.id, channel_id=channel.id, term_end=current.term_end, outcome="pending"
    )
    if renewal.outcome not in (None, "pending"):
        raise Conflict("本期协议的续签已有结论", "This term's renewal is already decided", code="decided")
    renewal.objection, renewal.objected_by_id = objection, user.id
    db.session.add(renewal)
    db.session.flush()
    audit.record("agreement.renewal_objection", renewal, actor=user, after={"objection": objection})
    return renewal


def renewals_of(channel: Channel) -> list[AgreementRenewal]:
    return list(
        db.session.scalars(
            sa.select(AgreementRenewal)
            .where(AgreementRenewal.channel_id == channel.id)
            .order_by(AgreementRenewal.term_end.desc())
        )
    )
