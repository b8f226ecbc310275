"""Incident verbs (C5.2, C5.5, C3.5): a channel reports an incident itself, the operator records one it detected (or the
anomaly watch opens a candidate, C5.6); the type fixes the level (C5.5), and the operator confirms — or re-grades with a
recorded reason, or dismisses — before the consequences apply at once: level 1 suspends the services the operator picks,
level 2 suspends every service and key, both with rectification due in a month; level 3 terminates: keys revoked and a
forced exit opened. The owner files a rectification; the operator accepts it and restores service, which starts the
6-month observation period renewal looks at (C4.11); a rectification not done by its deadline is escalated."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import ChannelStatus, KeyStatus, Role
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.jurisdiction import get_channel, visible
from app.core.permissions import P, may
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.core.uploads import remove_upload, save_upload
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.agreements.renewal import register_renewal_blocker
from app.modules.agreements.rules import add_months
from app.modules.applications.numbering import daily_number
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import Cause
from app.modules.channels.models import Channel
from app.modules.channels.rules import liable_organisation_ids
from app.modules.gateway.decisions import register_service_block
from app.modules.incidents.catalogue import INCIDENT_TYPES, level_of
from app.modules.incidents.models import (
    Incident,
    IncidentEvidence,
    IncidentStatus,
    Rectification,
    RectificationStatus,
    ServiceSuspension,
)
from app.modules.key_issuance.models import ChannelKey
from app.modules.key_issuance.operations import record_event
from app.modules.messaging.operations import send, send_to_operators

OPEN = (IncidentStatus.reported, IncidentStatus.candidate)
# The reason a level-2 incident writes on the keys it suspends; the last restore resumes every key so held (C5.5).
INCIDENT_HOLD = "安全风险事件 "


def visible_incidents(user):
    """The owner sees its channels' incidents and, as level-1 owner, those of its level-2 channels (C3.5); the operator,
    the national center and the auditor see all."""
    return visible("incident", user)  # registered in incidents/scope.py


def get_incident(user, incident_id: int) -> Incident:
    incident = db.session.scalar(visible_incidents(user).where(Incident.id == incident_id))
    if incident is None:
        raise NotFound("事件不存在", "No such incident")
    return incident


def _check_type(code: str) -> int:
    if code not in INCIDENT_TYPES:
        raise RuleViolation(
            "安全风险事件类型不存在，请从分级目录中选择（C5.5）",
            "No such incident type; choose one of the graded list (C5.5)",
            code="C5.5",
            fields={"incident_type": ["unknown"]},
        )
    return level_of(code)


def snapshot(incident: Incident) -> dict:
    return {
        "number": incident.number,
        "type": incident.incident_type,
        "level": incident.level,
        "status": incident.status,
    }


def _context(incident: Incident) -> dict:
    channel = incident.channel
    return {
        "number": incident.number,
        "channel": channel.name,
        "channel_number": channel.channel_number or "-",
        "type": INCIDENT_TYPES[incident.incident_type][1],
        "level": incident.level,
        "status": incident.status,
    }


def _tell_owners(code: str, incident: Incident, extra: dict | None = None) -> None:
    """The owner, and the level-1 owner of a level-2 channel (C3.5: jointly liable, shown on its record)."""
    context = _context(incident) | (extra or {})
    for organisation_id in liable_organisation_ids(incident.channel):
        send(code, context, incident, organisation_id=organisation_id)


def _tell_national(code: str, incident: Incident, extra: dict | None = None) -> None:
    for user_id in db.session.scalars(sa.select(User.id).where(User.role == Role.national_reviewer, User.active)):
        send(code, _context(incident) | (extra or {}), incident, user_id=user_id)


def _new_incident(channel: Channel, user, data: dict, source: str) -> Incident:
    level = _check_type(data.get("incident_type", ""))
    discovered = data["discovered_at"]
    if discovered > utcnow() + timedelta(minutes=5):
        raise RuleViolation(
            "发现时间不能晚于现在", "The time of discovery is in the future", fields={"discovered_at": ["future"]}
        )
    if not (data.get("description") or "").strip():
        raise RuleViolation("请描述事件", "Describe the incident", fields={"description": ["required"]})
    incident = Incident(
        number=daily_number("I", "incident"),
        channel_id=channel.id,
        incident_type=data["incident_type"],
        level=level,
        source=source,
        status=IncidentStatus.candidate if source == "anomaly" else IncidentStatus.reported,
        discovered_at=discovered,
        description=data["description"].strip(),
        impact=(data.get("impact") or "").strip(),
        anomaly=data.get("anomaly"),
        reported_by_id=getattr(user, "id", None),
    )
    incident.channel = channel
    db.session.add(incident)
    db.session.flush()
    audit.record("incident.report", incident, actor=user, after=snapshot(incident) | {"source": source})
    return incident


@transactional
def report_incident(user, channel_id: int, data: dict) -> Incident:
    """C5.2: the channel reports at once, to HR&SS (the national center) and the operator. A level-2 channel's incident
    may be reported by the level-1 owner too (C3.5)."""
    channel = get_channel(user, channel_id)
    if not may(user, P.incident_report):
        raise NotFound()
    incident = _new_incident(channel, user, data, "channel")
    send_to_operators("incident.reported", _context(incident), incident)
    _tell_national("incident.reported", incident)
    _tell_owners("incident.reported", incident)
    return incident


@transactional
def record_incident(user, channel_id: int, data: dict) -> Incident:
    """C5.5: the operator records an incident it detected; it is confirmed (or re-graded) before sanctions apply."""
    if not may(user, P.incident_manage):
        raise Forbidden("只有平台运营机构记录其发现的事件", "Only the platform operator records detected incidents")
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        raise NotFound()
    incident = _new_incident(channel, user, data, "operator")
    _tell_national("incident.reported", incident)
    _tell_owners("incident.reported", incident)
    return incident


def add_evidence(user, incident_id: int, stream, filename: str) -> IncidentEvidence:
    """Evidence files: type-checked and size-limited like attachments; the file is removed if the row fails."""
    incident = get_incident(user, incident_id)
    if not (may(user, P.incident_report) or may(user, P.incident_manage)):
        raise Forbidden()
    stored = save_upload(stream, filename)
    try:
        return _record_evidence(user, incident.id, stored)
    except BaseException:
        remove_upload(stored.stored_name)
        raise


@transactional
def _record_evidence(user, incident_id: int, stored) -> IncidentEvidence:
    evidence = IncidentEvidence(incident_id=incident_id, uploaded_by_id=user.id, **stored.columns())
    db.session.add(evidence)
    db.session.flush()
    audit.record("incident.evidence", evidence, actor=user, after={"incident": incident_id, "sha256": stored.sha256})
    return evidence


def _require_operator(user) -> None:
    if not may(user, P.incident_manage):
        raise Forbidden("只有平台运营机构认定安全风险事件", "Only the platform operator grades incidents")


def _keys(channel: Channel, statuses) -> list[ChannelKey]:
    return [k for k in channel.keys if k.status in statuses]


def _suspend_services(incident: Incident, services: list[str]) -> None:
    """Level 1: the operator picks the services to suspend, among those granted."""
    granted = {s.code for s in incident.channel.services}
    chosen = list(dict.fromkeys(services or []))
    if not chosen or any(code not in granted for code in chosen):
        raise RuleViolation(
            "一级事件须选择要暂停的服务（须为已授予的服务）（C5.5）",
            "A level-1 incident suspends services the operator picks among those granted (C5.5)",
            code="C5.5",
            fields={"services": ["choose granted services"]},
        )
    db.session.add_all(
        ServiceSuspension(channel_id=incident.channel_id, service_code=code, incident_id=incident.id) for code in chosen
    )


def _suspend_channel(incident: Incident, user) -> None:
    """Level 2: every service (the channel is suspended) and every active key."""
    channel = incident.channel
    if channel.status == ChannelStatus.live:
        lifecycle.move(
            channel, ChannelStatus.suspended, Cause.incident_suspension, user, details={"incident": incident.number}
        )
    for key in _keys(channel, (KeyStatus.active,)):
        key.status, key.status_reason = KeyStatus.suspended, f"{INCIDENT_HOLD}{incident.number}"
        record_event(key, "suspend", user, key.status_reason)


def _terminate(incident: Incident, user) -> None:
    """Level 3: keys revoked, services stopped, cooperation dissolved and a forced exit opened (C5.5, C6.4)."""
    channel = incident.channel
    for key in _keys(channel, (KeyStatus.active, KeyStatus.suspended)):
        key.status, key.status_reason = KeyStatus.revoked, f"三级安全风险事件 {incident.number}"
        record_event(key, "revoke", user, key.status_reason)
    evidence = f"三级安全风险事件 {incident.number}"
    lifecycle.call_for_forced_exit(user, channel, "level3_incident", evidence, incident=incident)


@transactional
def confirm(user, incident_id: int, incident_type: str | None = None, reason: str = "", services=None) -> Incident:
    """C5.5: confirm (or re-grade with a recorded reason) and apply the level's consequences at once."""
    _require_operator(user)
    incident = get_incident(user, incident_id)
    if incident.status not in OPEN:
        raise Conflict("该事件已处理", "This incident has already been decided", code="already_decided")
    before = snapshot(incident)
    new_type = incident_type or incident.incident_type
    level = _check_type(new_type)
    if new_type != incident.incident_type and not (reason or "").strip():
        raise RuleViolation(
            "改变事件类型或级别须说明理由", "Re-grading needs a reason", fields={"decision_note": ["required"]}
        )
    incident.incident_type, incident.level = new_type, level
    incident.decided_by_id, incident.decided_at, incident.decision_note = user.id, utcnow(), (reason or "").strip()
    if level == 3:
        incident.status = IncidentStatus.terminated
        _terminate(incident, user)
    else:
        _suspend_services(incident, services) if level == 1 else _suspend_channel(incident, user)
        incident.status = IncidentStatus.rectifying
        incident.rectification_due = add_months(today(), current_app.config["RECTIFICATION_MONTHS"])
    audit.record("incident.confirm", incident, actor=user, before=before, after=snapshot(incident))
    _tell_owners("incident.confirmed", incident, {"due": incident.rectification_due or "-"})
    return incident


@transactional
def dismiss(user, incident_id: int, reason: str) -> Incident:
    """C5.6: a report or a candidate found not to be an incident, with the reason."""
    _require_operator(user)
    incident = get_incident(user, incident_id)
    if incident.status not in OPEN:
        raise Conflict("该事件已处理", "This incident has already been decided", code="already_decided")
    if not (reason or "").strip():
        raise RuleViolation("请说明不予认定的理由", "Give the reason", fields={"decision_note": ["required"]})
    before = snapshot(incident)
    incident.status, incident.decided_by_id, incident.decided_at = IncidentStatus.dismissed, user.id, utcnow()
    incident.decision_note = reason.strip()
    audit.record("incident.dismiss", incident, actor=user, before=before, after=snapshot(incident))
    return incident


@transactional
def file_rectification(user, incident_id: int, body: str) -> Rectification:
    """The owner reports what it rectified; one report waits for verification at a time."""
    incident = get_incident(user, incident_id)
    if not may(user, P.incident_report):
        raise Forbidden()
    if incident.status != IncidentStatus.rectifying:
        raise Conflict("该事件无需整改或已恢复", "This incident is not awaiting rectification", code="not_rectifying")
    if not (body or "").strip():
        raise RuleViolation("请填写整改报告", "Write the rectification report", fields={"body": ["required"]})
    if any(r.status == RectificationStatus.pending for r in incident.rectifications):
        raise Conflict("已有整改报告待核验", "A rectification report is waiting", code="pending_exists")
    rectification = Rectification(incident_id=incident.id, body=body.strip(), filed_by_id=user.id)
    db.session.add(rectification)
    db.session.flush()
    audit.record("incident.rectification", rectification, actor=user, after={"incident": incident.number})
    send_to_operators("incident.rectification_filed", _context(incident), incident)
    return rectification


def _restore(incident: Incident, user) -> None:
    """Lift what this incident suspended; the channel is live again unless another level-2 incident still holds it."""
    now = utcnow()
    for suspension in incident.suspensions:
        suspension.lifted_at = suspension.lifted_at or now
    channel = incident.channel
    others = db.session.scalar(
        sa.select(Incident.id).where(
            Incident.channel_id == channel.id,
            Incident.id != incident.id,
            Incident.level == 2,
            Incident.status == IncidentStatus.rectifying,
        )
    )
    if incident.level == 2 and others is None:
        if channel.status == ChannelStatus.suspended and not channel.suspended_for_testing:
            lifecycle.move(
                channel, ChannelStatus.live, Cause.incident_rectified, user, details={"incident": incident.number}
            )
        for key in _keys(channel, (KeyStatus.suspended,)):  # held by this or an earlier level-2 incident
            if key.status_reason.startswith(INCIDENT_HOLD):
                key.status, key.status_reason = KeyStatus.active, ""
                record_event(key, "resume", user, f"整改通过 {incident.number}")
    incident.status, incident.restored_at = IncidentStatus.restored, now
    incident.observation_until = add_months(today(), current_app.config["OBSERVATION_MONTHS"])


@transactional
def decide_rectification(user, rectification_id: int, accept: bool, opinion: str) -> Rectification:
    """The operator verifies the report: accepted (then the services can be restored) or rejected with reasons."""
    _require_operator(user)
    rectification = db.session.get(Rectification, rectification_id)
    if rectification is None:
        raise NotFound()
    if rectification.status != RectificationStatus.pending:
        raise Conflict("该整改报告已核验", "This report has been decided", code="already_decided")
    if not accept and not (opinion or "").strip():
        raise RuleViolation("不通过时须说明理由", "Give the reasons", fields={"opinion": ["required"]})
    incident = db.session.get(Incident, rectification.incident_id)
    rectification.status = RectificationStatus.accepted if accept else RectificationStatus.rejected
    rectification.decided_by_id, rectification.decided_at, rectification.opinion = user.id, utcnow(), opinion or ""
    audit.record("incident.rectification_decide", rectification, actor=user, after={"status": rectification.status})
    _tell_owners(
        "incident.rectification_decided", incident, {"result": "通过" if accept else "不通过", "opinion": opinion}
    )
    return rectification


def restore_refusal(incident: Incident):
    """Restoring needs an accepted rectification: there is no other way back."""
    if incident.status != IncidentStatus.rectifying:
        return Conflict("该事件不在整改中", "This incident is not being rectified", code="not_rectifying")
    if not any(r.status == RectificationStatus.accepted for r in incident.rectifications):
        return Conflict(
            "整改报告未经核验通过，不能恢复服务（C5.5）",
            "No accepted rectification: services cannot be restored (C5.5)",
            code="C5.5",
        )
    return None


@transactional
def restore(user, incident_id: int) -> Incident:
    """C5.5: after an accepted rectification the operator restores the services; the 6-month observation period
    used by renewal starts (C4.11)."""
    _require_operator(user)
    incident = get_incident(user, incident_id)
    refusal = restore_refusal(incident)
    if refusal:
        raise refusal
    before = snapshot(incident)
    _restore(incident, user)
    audit.record("incident.restore", incident, actor=user, before=before, after=snapshot(incident))
    _tell_owners("incident.restored", incident, {"observation_until": incident.observation_until})
    return incident


@transactional
def escalate_overdue(on) -> int:
    """C5.5: a rectification not done by its deadline goes to the operator and the national center (once)."""
    overdue = db.session.scalars(
        sa.select(Incident).where(
            Incident.status == IncidentStatus.rectifying,
            Incident.rectification_due < on,
            Incident.escalated_at.is_(None),
        )
    ).all()
    for incident in overdue:
        incident.escalated_at = utcnow()
        send_to_operators("incident.overdue", _context(incident) | {"due": incident.rectification_due}, incident)
        _tell_national("incident.overdue", incident, {"due": incident.rectification_due})
        audit.record("incident.escalate", incident, after={"due": str(incident.rectification_due)})
    return len(overdue)


@transactional
def approve_renewal(user, incident_id: int) -> Incident:
    """C4.11: after a stable observation period the national center approves the renewal."""
    if not may(user, P.incident_approve):
        raise Forbidden("由部信息中心审批", "The national info center approves")
    incident = get_incident(user, incident_id)
    observing = incident.status == IncidentStatus.restored and incident.observation_until is not None
    if not observing or incident.observation_until > today():
        raise Conflict("考察期尚未结束", "The observation period has not ended", code="C4.11")
    incident.renewal_approved_by_id, incident.renewal_approved_at = user.id, utcnow()
    audit.record("incident.renewal_approve", incident, actor=user, after={"number": incident.number})
    return incident


def renewal_blockers(channels: list, on) -> dict[int, str]:
    """C4.11: a level-1/2 incident blocks renewal until rectified, observed 6 months and approved nationally (the
    channels' incidents read in one statement)."""
    incidents = db.session.scalars(
        sa.select(Incident)
        .where(
            Incident.channel_id.in_([c.id for c in channels]),
            Incident.level.in_((1, 2)),
            Incident.status.in_((IncidentStatus.rectifying, IncidentStatus.restored)),
        )
        .order_by(Incident.id)
    )
    reasons: dict[int, str] = {}
    for incident in incidents:
        reason = _renewal_reason(incident, on)
        if reason:
            reasons.setdefault(incident.channel_id, reason)
    return reasons


def _renewal_reason(incident: Incident, on) -> str | None:
    if incident.status == IncidentStatus.rectifying:
        return f"安全风险事件 {incident.number} 尚未整改完成"
    if incident.observation_until > on:
        return f"安全风险事件 {incident.number} 的考察期至 {incident.observation_until}"
    if incident.renewal_approved_at is None:
        return f"安全风险事件 {incident.number} 考察期满，待部信息中心同意续签"
    return None


def suspended_services(channel_ids: list[int]) -> dict[int, set[str]]:
    """C5.5: the services suspended for an incident and not yet lifted, by channel (one statement)."""
    rows = db.session.execute(
        sa.select(ServiceSuspension.channel_id, ServiceSuspension.service_code).where(
            ServiceSuspension.channel_id.in_(channel_ids), ServiceSuspension.lifted_at.is_(None)
        )
    )
    suspended: dict[int, set[str]] = {}
    for channel_id, code in rows:
        suspended.setdefault(channel_id, set()).add(code)
    return suspended


register_renewal_blocker(20, renewal_blockers)


register_service_block(suspended_services)
