"""Production-intake pages (C2.8, C2.9, C7.3): Form 3 for the owner, recordings, the operator's verification page and
go-live, where the production key is shown once."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.enums import ApplicationKind, ApplicationStatus
from app.core.errors import DomainError, NotFound
from app.core.http.downloads import send_stored_file
from app.core.http.forms import apply_error, choices
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_application, get_channel, visible_channels
from app.core.timeutil import today
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.accounts.views import fresh_auth
from app.modules.applications.aggregate import EDITABLE
from app.modules.applications.kinds import register_page
from app.modules.channels.panels import register_action
from app.modules.production import operations as ops
from app.modules.production.forms import ProductionForm, RecordingForm, VerificationForm
from app.modules.production.models import CHECKLIST, PLATFORMS
from app.modules.production.operations import creation_refusal
from app.modules.production.rules import report_problem
from app.modules.reviews.forms import DecisionForm
from app.modules.security_tests.operations import reports_of


def _production(app_id: int):
    app = get_application(current_user, app_id)
    if app.kind != ApplicationKind.production:
        raise NotFound("正式入网申请不存在", "No such production application")
    return app


def _report_choices(form: ProductionForm, channel) -> None:
    """The owner's current reports (C5.3): this channel's, and same-year ones of its other channels (reuse)."""
    reports = []
    for own in db.session.scalars(visible_channels(current_user)):
        reports += [r for r in reports_of(own) if report_problem(r, channel, today()) is None]
    label = "{name} · {date} · {institution} · {version}"
    form.security_report_id.choices = choices(
        [(0, "—")]
        + [
            (
                r.id,
                label.format(
                    name=r.channel.name, date=r.test_date, institution=r.institution.name, version=r.version_tested
                ),
            )
            for r in reports
        ]
    )


def _form_data(form: ProductionForm) -> dict:
    return {
        "contact_name": form.contact_name.data or "",
        "contact_phone": form.contact_phone.data or "",
        "contact_email": form.contact_email.data or "",
        "fill_date": form.fill_date.data,
        "security_report_id": form.security_report_id.data or None,
    }


def new_production(channel_id: int):
    channel = get_channel(current_user, channel_id)
    refusal = ops.creation_refusal(current_user, channel)
    if refusal:
        flash(refusal.message(current_locale()), "danger")
        return redirect(url_for("channels.channel_detail", channel_id=channel.id))
    form = ProductionForm()
    _report_choices(form, channel)
    if request.method == "GET":
        form.contact_name.data, form.contact_phone.data = current_user.display_name, current_user.phone
        form.contact_email.data, form.fill_date.data = current_user.email, today()
    if form.validate_on_submit():
        try:
            app = ops.create_production_draft(current_user, channel, _form_data(form))
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("applications.application_detail", app_id=app.id))
    return render_template("production/form.html", form=form, channel=channel, app=None)


def edit_production(app_id: int):
    app = _production(app_id)
    channel = ops.production_channel(app)
    form = ProductionForm(obj=app) if request.method == "GET" else ProductionForm()
    _report_choices(form, channel)
    if request.method == "GET":
        form.security_report_id.data = app.security_report_id or 0
    if form.validate_on_submit():
        try:
            ops.update_production_draft(current_user, app, _form_data(form))
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("applications.application_detail", app_id=app.id))
    return render_template("production/form.html", form=form, channel=channel, app=app)


def upload_recording(app_id: int, platform: str):
    app = _production(app_id)
    form = RecordingForm()
    if form.validate_on_submit():
        try:
            ops.upload_recording(current_user, app, platform, form.file.data.stream, form.file.data.filename)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已上传"), "success")
    else:
        flash(_("请选择要上传的文件"), "danger")
    return redirect(url_for("applications.application_detail", app_id=app.id))


def download_recording(app_id: int, platform: str):
    recording = ops.get_recording(_production(app_id), platform)
    return send_stored_file(recording.stored_name, recording.filename, recording.content_type)


def _save_ticks(app) -> None:
    for platform in ops.current_recordings(app):
        ticked = [step for step in CHECKLIST if request.form.get(f"{platform}-{step}")]
        ops.check_recording(current_user, app.id, platform, ticked)


def verify(app_id: int):
    """The operator's page: tick the six operations seen in each recording (C2.9), review the report (C2.8), then
    approve or return with reasons. Ticks are saved with every submit, so verification can be done in sittings."""
    app = _production(app_id)
    form, decision = VerificationForm(), DecisionForm()
    if request.method == "GET":
        form.report_reviewed.data = app.report_reviewed_at is not None
        decision.contact.data, decision.phone.data = current_user.display_name, current_user.phone
    action = request.form.get("action")
    if request.method == "POST" and form.validate_on_submit():
        try:
            _save_ticks(app)
            ops.review_report(current_user, app.id, bool(form.report_reviewed.data))
            if action == "decide" and decision.validate():
                ops.verify(
                    current_user,
                    app.id,
                    decision.decision.data == "approve",
                    decision.opinion.data or "",
                    decision.contact.data,
                    decision.phone.data,
                )
                flash(_("审核意见已提交"), "success")
                return redirect(url_for("applications.application_detail", app_id=app.id))
            if action != "decide":
                flash(_("已保存"), "success")
                return redirect(url_for("production.verify", app_id=app.id))
        except DomainError as exc:
            apply_error(decision, exc)
    refusal = ops.verification_refusal(current_user, app)
    return render_template(
        "production/verify.html",
        app=app,
        form=form,
        decision=decision,
        recordings=ops.current_recordings(app),
        checklist=CHECKLIST,
        platforms=PLATFORMS,
        refusal=refusal.message(current_locale()) if refusal else None,
    )


def go_live(app_id: int):
    """Revealing the production key needs a fresh proof of identity, as for test keys."""
    app = _production(app_id)
    if not fresh_auth():
        return redirect(url_for("accounts.reauth", next=request.path))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            issued = ops.go_live(current_user, app.id)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
            return redirect(url_for("applications.application_detail", app_id=app.id))
        return render_template("production/issued.html", app=app, item=issued)
    refusal = ops.go_live_refusal(current_user, app)
    return render_template(
        "production/go_live.html",
        app=app,
        form=form,
        problems=ops.go_live_problems(app),
        refusal=refusal.message(current_locale()) if refusal else None,
    )


register_action(20, "production/_channel_action.html", lambda channel, user: creation_refusal(user, channel) is None)


def _production_page(app, user) -> tuple[list, dict]:
    """C2.8: what the production intake still lacks, its evidence, and what go-live still needs."""
    problems = ops.submission_problems(app) if app.status in EDITABLE else []
    go_live = ops.go_live_problems(app) if app.status == ApplicationStatus.approved else []
    return problems, ops.evidence_context(app) | {"recording_form": RecordingForm(), "go_live_problems": go_live}


register_page(ApplicationKind.production, _production_page)
