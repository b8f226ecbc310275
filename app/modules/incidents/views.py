"""Incident pages (C5.2, C5.5, C5.6): report or record, evidence, confirm / re-grade / dismiss, rectification,
restore (warned and confirmed, S10), the national center's renewal approval."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import DomainError
from app.core.http.downloads import send_stored_file
from app.core.http.forms import apply_error, choices, run_posted
from app.core.http.pagination import paginate
from app.core.i18n import current_locale, localized
from app.core.i18n import gettext as _
from app.core.jurisdiction import visible_channels
from app.core.permissions import P, may
from app.core.timeutil import from_local
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.channels.models import Channel
from app.modules.channels.panels import register_panel
from app.modules.incidents import operations as ops
from app.modules.incidents.catalogue import INCIDENT_TYPES
from app.modules.incidents.forms import (
    ConfirmForm,
    DecisionForm,
    EvidenceForm,
    IncidentForm,
    ReasonForm,
    RectificationForm,
)
from app.modules.incidents.models import Incident, IncidentEvidence, Rectification


def type_choices() -> list:
    return choices([(code, f"{level} · {localized(titles)}") for code, (level, *titles) in INCIDENT_TYPES.items()])


def _incident_form() -> IncidentForm:
    form = IncidentForm(channel_id=request.args.get("channel_id", type=int))
    query = (
        visible_channels(current_user).where(Channel.status.in_(("live", "suspended", "testing"))).order_by(Channel.id)
    )
    form.channel_id.choices = choices(
        [(c.id, f"{c.name} ({c.channel_number or '-'})") for c in db.session.scalars(query)]
    )
    form.incident_type.choices = type_choices()
    return form


def incidents():
    form = _incident_form() if may(current_user, P.incident_report) or may(current_user, P.incident_manage) else None
    if form is not None and form.validate_on_submit():
        data = {n: form[n].data for n in ("incident_type", "description", "impact")}
        data["discovered_at"] = from_local(form.discovered_at.data)
        file = ops.report_incident if may(current_user, P.incident_report) else ops.record_incident
        try:
            incident = file(current_user, form.channel_id.data, data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已报告"), "success")
            return redirect(url_for("incidents.incident_detail", incident_id=incident.id))
    page = paginate(ops.visible_incidents(current_user).order_by(Incident.id.desc()))
    return render_template("incidents/list.html", page=page, form=form, types=INCIDENT_TYPES)


def incident_detail(incident_id: int):
    incident = ops.get_incident(current_user, incident_id)
    operator = may(current_user, P.incident_manage)
    confirm_form = ConfirmForm(incident_type=incident.incident_type)
    confirm_form.incident_type.choices = type_choices()
    confirm_form.services.choices = choices([(s.code, s.name(current_locale())) for s in incident.channel.services])
    return render_template(
        "incidents/detail.html",
        incident=incident,
        types=INCIDENT_TYPES,
        operator=operator,
        owner=may(current_user, P.incident_report),
        national=may(current_user, P.incident_approve),
        confirm_form=confirm_form,
        reason_form=ReasonForm(),
        evidence_form=EvidenceForm(),
        rectification_form=RectificationForm(),
        decision_form=DecisionForm(),
        action_form=ActionForm(),
        restore_refusal=ops.restore_refusal(incident),
    )


def _back(incident_id: int):
    return redirect(url_for("incidents.incident_detail", incident_id=incident_id))


def _run(incident_id: int, form, action, done: str):
    ops.get_incident(current_user, incident_id)  # 404 outside the scope, before anything else
    run_posted(form, action, done)
    return _back(incident_id)


def upload_evidence(incident_id: int):
    form = EvidenceForm()
    return _run(
        incident_id,
        form,
        lambda f: ops.add_evidence(current_user, incident_id, f.file.data.stream, f.file.data.filename),
        _("已上传"),
    )


def download_evidence(incident_id: int, evidence_id: int):
    incident = ops.get_incident(current_user, incident_id)
    evidence = db.session.get(IncidentEvidence, evidence_id)
    if evidence is None or evidence.incident_id != incident.id:
        abort(404)
    return send_stored_file(evidence.stored_name, evidence.filename, evidence.content_type)


def confirm_incident(incident_id: int):
    form = ConfirmForm()
    form.incident_type.choices = type_choices()
    incident = ops.get_incident(current_user, incident_id)
    form.services.choices = choices([(s.code, s.code) for s in incident.channel.services])
    return _run(
        incident_id,
        form,
        lambda f: ops.confirm(current_user, incident_id, f.incident_type.data, f.reason.data or "", f.services.data),
        _("已认定，处置已生效"),
    )


def dismiss_incident(incident_id: int):
    return _run(incident_id, ReasonForm(), lambda f: ops.dismiss(current_user, incident_id, f.reason.data), _("已保存"))


def file_rectification(incident_id: int):
    return _run(
        incident_id,
        RectificationForm(),
        lambda f: ops.file_rectification(current_user, incident_id, f.body.data),
        _("已提交，待核验"),
    )


def decide_rectification(incident_id: int, rectification_id: int):
    rectification = db.session.get(Rectification, rectification_id)
    if rectification is None or rectification.incident_id != incident_id:
        abort(404)
    return _run(
        incident_id,
        DecisionForm(),
        lambda f: ops.decide_rectification(
            current_user, rectification_id, f.decision.data == "approve", f.opinion.data
        ),
        _("已保存"),
    )


def restore_incident(incident_id: int):
    return _run(incident_id, ActionForm(), lambda f: ops.restore(current_user, incident_id), _("已恢复服务"))


def approve_renewal(incident_id: int):
    return _run(incident_id, ActionForm(), lambda f: ops.approve_renewal(current_user, incident_id), _("已同意续签"))


def _channel_panel(channel, user) -> dict | None:
    """C3.5: the channel's incidents and its level-2 channels' (jointly liable, shown on the level-1 record)."""
    ids = [channel.id, *(c.id for c in channel.children)]
    query = ops.visible_incidents(user).where(Incident.channel_id.in_(ids)).order_by(Incident.id.desc())
    incidents = list(db.session.scalars(query))
    return {"incidents": incidents} if incidents else None


register_panel(40, "incidents/_channel_panel.html", _channel_panel)
