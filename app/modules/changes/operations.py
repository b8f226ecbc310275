"""Change applications (C4.1): a live channel applies to add or change its service regions or to add personalized
services. The application is an intake `Application` of kind `change` with one row (the channel, with the regions
and services it should have afterwards); it travels the same review chain — municipal and provincial centers of the
regions it adds, then the national center, which may grant a subset (C2.3) — and when the operator approves it the
channel's grants change at once, so the gateway check follows from the approval date."""

import sqlalchemy as sa

from app.core import audit
from app.core.enums import ApplicationKind, ApplicationStatus, ChannelStatus, StepStatus
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.jurisdiction import get_channel
from app.core.permissions import P, acts_for, may
from app.core.timeutil import today
from app.core.transaction import transactional
from app.extensions import db
from app.modules.applications.aggregate import complete, lock_application, notify_submitted, open_round
from app.modules.applications.kinds import register_kind
from app.modules.applications.models import Application, ApplicationRound, ApplicationRow, RowRegion, RowService
from app.modules.applications.numbering import application_number
from app.modules.applications.operations import resolve_services
from app.modules.applications.operations import snapshot as application_snapshot
from app.modules.channels import rules as channel_rules
from app.modules.channels.models import Service
from app.modules.messaging.operations import send, send_to_operators
from app.modules.regions.models import Region
from app.modules.regions.operations import get_regions
from app.modules.reviews.operations import (
    audit_operator_decision,
    check_decision_inputs,
    notify_decision,
    operator_step,
    record_decision,
    return_application,
    round_steps,
)


def open_change(channel) -> Application | None:
    """The change application of `channel` still under review, if any (one at a time)."""
    return db.session.scalar(
        sa.select(Application)
        .join(ApplicationRow, ApplicationRow.application_id == Application.id)
        .where(
            ApplicationRow.channel_id == channel.id,
            Application.kind == ApplicationKind.change,
            Application.status == ApplicationStatus.in_review,
        )
    )


def creation_refusal(user, channel):
    """C4.1: the owner of a live channel, one change at a time."""
    if not (may(user, P.application_create) and acts_for(user, channel.owner_id)):
        return Forbidden("只有渠道所属单位可以申请变更", "Only the channel's owner applies for a change")
    if channel.status != ChannelStatus.live:
        return Conflict(
            f"只有已正式入网的渠道可以申请变更地域或服务，该渠道当前状态为“{channel.status.title_zh}”（C4.1）",
            f"Only a live channel applies to change its regions or services; this one is "
            f"{channel.status.title_en.lower()} (C4.1)",
            code="C4.1",
        )
    if open_change(channel) is not None:
        return Conflict(
            "该渠道已有变更申请在审核中", "This channel already has a change under review", code="open_exists"
        )
    return None


def _requested_scope(channel, data: dict) -> tuple[list[str], list]:
    regions = list(dict.fromkeys(data.get("regions") or []))
    if not regions:
        raise RuleViolation(
            "请选择变更后的服务地域",
            "Choose the regions after the change",
            code="C2.3",
            fields={"regions": ["required"]},
        )
    get_regions(regions, "regions")
    services = resolve_services(data.get("services") or [], "services")
    channel_rules.check_scope(services, channel.category, "services")
    held_regions, held_services = {r.code for r in channel.regions}, {s.code for s in channel.services}
    if set(regions) == held_regions and {s.code for s in services} == held_services:
        raise RuleViolation(
            "变更后的地域和服务与现有授权相同",
            "The requested scope is the same as the current grants",
            code="C4.1",
            fields={"regions": ["unchanged"]},
        )
    return regions, services


@transactional
def apply_for_change(user, channel_id: int, data: dict) -> Application:
    """C4.1: file and submit the change; the chain starts at once (a change has no separate draft)."""
    channel = get_channel(user, channel_id)
    if not may(user, P.application_create):
        raise NotFound()
    refusal = creation_refusal(user, channel)
    if refusal:
        raise refusal
    regions, services = _requested_scope(channel, data)
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise RuleViolation("请说明变更理由", "Give the reason for the change", fields={"reason": ["required"]})
    app = Application(
        kind=ApplicationKind.change,
        status=ApplicationStatus.draft,
        applicant_id=user.organisation_id,
        created_by_id=user.id,
        category=channel.category,
        level=channel.level,
        parent_channel_id=channel.parent_id,
        same_subject=channel.same_subject,
        contact_name=channel.contact_name,
        contact_phone=channel.contact_phone,
        contact_email=channel.contact_email,
        number=application_number("change", today()),
    )
    row = ApplicationRow(
        position=1, name=channel.name, form=channel.form, access_mode=channel.access_mode, channel_id=channel.id
    )
    row.regions = [RowRegion(region_code=code) for code in regions]
    row.services = [RowService(service_code=s.code) for s in services]
    app.rows = [row]
    db.session.add(app)
    db.session.flush()
    audit.record("application.create", app, after=change_snapshot(app) | {"reason": reason}, actor=user)
    open_round(user, app, lambda a: change_snapshot(a) | {"reason": reason})
    notify_submitted(app)
    return app


def change_snapshot(app: Application) -> dict:
    row = app.rows[0]
    return application_snapshot(app) | {
        "channel_id": row.channel_id,
        "before": {
            "regions": [r.code for r in row.channel.regions],
            "services": [s.code for s in row.channel.services],
        },
    }


def change_reason(app: Application) -> str:
    round_row = db.session.scalar(
        sa.select(ApplicationRound).where(ApplicationRound.application_id == app.id).order_by(ApplicationRound.round)
    )
    return (round_row.content or {}).get("reason", "") if round_row else ""


def decision_refusal(user, app: Application):
    if not may(user, P.channel_manage):
        return Forbidden("运营机构办理变更生效", "The operator puts a change into effect")
    if app.kind != ApplicationKind.change or app.status != ApplicationStatus.in_review:
        return Conflict("申请不在审核中", "The application is not under review", code="not_in_review")
    step = operator_step(app)
    if step is None or step.status != StepStatus.pending:
        return Conflict(
            "部信息中心审核通过后，运营机构方可办理",
            "The operator acts after the national info center has approved",
            code="out_of_turn",
        )
    return None


def _apply_grants(app: Application, user) -> None:
    """Replace the channel's regions and services by those granted: effective now (the gateway reads them)."""
    row = app.rows[0]
    channel = row.channel
    before = channel.snapshot()
    channel.regions = list(db.session.scalars(sa.select(Region).where(Region.code.in_(row.granted_codes))))
    channel.services = list(db.session.scalars(sa.select(Service).where(Service.code.in_(row.service_codes))))
    db.session.flush()
    audit.record("channel.grants_change", channel, before=before, after=channel.snapshot(), actor=user)


@transactional
def decide_change(user, app_id: int, approve: bool, opinion: str, contact: str, phone: str) -> Application:
    """The operator's step of a change (C2.10 fields): approval puts the granted scope into effect today (C4.1);
    a rejection returns the application with its reasons and the channel keeps its grants."""
    check_decision_inputs(approve, opinion, contact, phone)
    app = lock_application(app_id)
    refusal = decision_refusal(user, app)
    if refusal:
        raise refusal
    step = operator_step(app)
    record_decision(user, step, approve, opinion, contact, phone)
    if approve:
        _apply_grants(app, user)
        complete(app)
    else:
        return_application(app, step, round_steps(app))
    audit_operator_decision(user, app, step)
    notify_decision(app, step, approve)
    if approve:
        channel = app.rows[0].channel
        context = {
            "number": app.number,
            "channel": channel.name,
            "effective": today(),
            "regions": "、".join(r.name_zh for r in channel.regions),
            "services": "、".join(s.name_zh for s in channel.services),
        }
        send("change.completed", context, app, organisation_id=app.applicant_id)
        send_to_operators("change.completed", context, app)
    return app


def _new_regions(app: Application, row) -> list[str]:
    """C4.1: only the regions the channel does not have yet are reviewed by their centers (a change of services alone
    goes straight to the national center)."""
    held = {r.code for r in row.channel.regions}
    return [code for code in row.region_codes if code not in held]


def _grant_change(app: Application, grant) -> None:
    grant()  # C4.1: the operator then puts the change into effect


register_kind(
    ApplicationKind.change,
    operator_step=(
        "运营机构环节在变更申请页面办理，通过后变更即生效（C4.1）",
        "The operator step is done on the change application's page; approval puts the change into effect",
    ),
    routed_codes=_new_regions,
    national_approval=_grant_change,
)
