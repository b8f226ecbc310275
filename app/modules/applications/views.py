"""Application pages: list, Form 1 editor, detail with progress and timeline (S8), submit, withdraw, uploads."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.core.enums import AccessMode, ApplicationKind, ApplicationStatus, ChannelForm, ChannelStatus
from app.core.errors import DomainError
from app.core.http.downloads import send_stored_file
from app.core.http.forms import apply_error, choices
from app.core.http.pagination import choice_arg, paginate
from app.core.i18n import current_locale, localized
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_application, visible_applications
from app.core.timeutil import today
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.applications import aggregate
from app.modules.applications import operations as ops
from app.modules.applications.forms import ApplicationForm, AttachmentForm, application_to_formdata, form_to_data
from app.modules.applications.kinds import kind_of, page_context, register_page
from app.modules.applications.models import Application, ApplicationRow
from app.modules.applications.parts import page_parts
from app.modules.applications.rules import eligibility_facts
from app.modules.channels.models import Channel, Service
from app.modules.channels.panels import register_panel
from app.modules.regions.operations import all_regions


def list_applications():
    query = visible_applications(current_user)
    status = choice_arg("status", ApplicationStatus)
    if status:
        query = query.where(Application.status == status)
    page = paginate(
        query.options(joinedload(Application.applicant), selectinload(Application.rows)).order_by(Application.id.desc())
    )
    return render_template("applications/list.html", page=page, status=status, statuses=ApplicationStatus)


def region_choices() -> dict:
    locale = current_locale()
    groups: dict = {}
    provinces = {}
    for region in all_regions():
        if region.is_province:
            provinces[region.code] = region.name(locale)
            groups.setdefault(provinces[region.code], []).append((region.code, region.name(locale)))
        else:
            groups.setdefault(provinces[region.parent_code], []).append((region.code, region.name(locale)))
    return groups


def _prepare(form: ApplicationForm) -> None:
    locale = current_locale()
    services = db.session.scalars(sa.select(Service).where(Service.active).order_by(Service.sort_order)).all()
    regions = region_choices()
    for row in form.rows:
        row["regions"].choices = choices(regions)
        row["services"].choices = choices([(s.code, s.name(locale)) for s in services])
    parents = db.session.scalars(
        sa.select(Channel)
        .where(
            Channel.owner_id == current_user.organisation_id,
            Channel.level == 1,
            Channel.status.in_([ChannelStatus.testing, ChannelStatus.live]),
        )
        .order_by(Channel.id)
    ).all()
    form.parent_channel_id.choices = choices([(0, "-")] + [(c.id, f"{c.name} ({c.channel_number})") for c in parents])


def _editor(form: ApplicationForm, app: Application | None):
    _prepare(form)
    form.owned_by(current_user.organisation)
    if request.method == "POST" and "add_row" in request.form:
        form.rows.append_entry()
        _prepare(form)
        return render_template("applications/form.html", form=form, app=app)
    if form.validate_on_submit():
        try:
            data = form_to_data(form)
            app = ops.update_draft(current_user, app, data) if app else ops.create_draft(current_user, data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("applications.application_detail", app_id=app.id))
    elif request.method == "POST":
        flash(_("表单有误，请检查标红的项目"), "danger")
    return render_template("applications/form.html", form=form, app=app)


def new_application():
    form = ApplicationForm()
    if request.method == "GET":
        form.contact_name.data = current_user.display_name
        form.contact_phone.data = current_user.phone
        form.contact_email.data = current_user.email
        form.rows[0]["services"].data = ["standard"]
    return _editor(form, None)


def edit_application(app_id: int):
    app = get_application(current_user, app_id)
    if kind_of(app).edit_endpoint:  # a kind with its own editor (production intake, Form 3)
        return redirect(url_for(kind_of(app).edit_endpoint, app_id=app.id))
    aggregate.guard_editable(app)
    form = ApplicationForm(data=application_to_formdata(app)) if request.method == "GET" else ApplicationForm()
    return _editor(form, app)


def application_detail(app_id: int):
    app = get_application(current_user, app_id)
    upload_form = AttachmentForm()
    upload_form.kind.choices = [(k, localized(v)) for k, v in ops.ATTACHMENT_KINDS.items()]
    problems, extra = page_context(app, current_user)  # registered by each intake kind
    return render_template(
        "applications/detail.html",
        app=app,
        action_form=ActionForm(),
        upload_form=upload_form,
        problems=problems,
        kinds=ops.ATTACHMENT_KINDS,
        **page_parts(app, current_user),  # progress (reviews), forms (documents)
        **extra,
    )


def submit_application(app_id: int):
    app = get_application(current_user, app_id)
    if ActionForm().validate_on_submit():
        try:
            ops.submit(current_user, app)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已提交"), "success")
    return redirect(url_for("applications.application_detail", app_id=app_id))


def withdraw_application(app_id: int):
    app = get_application(current_user, app_id)
    if ActionForm().validate_on_submit():
        try:
            aggregate.withdraw(current_user, app)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已撤回"), "success")
    return redirect(url_for("applications.application_detail", app_id=app_id))


def upload_attachment(app_id: int):
    app = get_application(current_user, app_id)
    form = AttachmentForm()
    form.kind.choices = choices([(k, k) for k in ops.ATTACHMENT_KINDS])
    if form.validate_on_submit():
        try:
            ops.add_attachment(current_user, app, form.kind.data, form.file.data.stream, form.file.data.filename)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已上传"), "success")
    else:
        flash(_("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("applications.application_detail", app_id=app_id))


def download_attachment(app_id: int, attachment_id: int):
    attachment = ops.get_attachment(get_application(current_user, app_id), attachment_id)
    return send_stored_file(attachment.stored_name, attachment.filename, attachment.content_type)


def _channel_panel(channel, user) -> dict:
    """The applications of the channel the user may see."""
    query = visible_applications(user).join(ApplicationRow).where(ApplicationRow.channel_id == channel.id)
    return {"applications": db.session.scalars(query.order_by(Application.id.desc())).unique().all()}


register_panel(50, "applications/_channel_panel.html", _channel_panel)


def _test_intake_page(app, user) -> tuple[list, dict]:
    """The problems that stop a submission, and the C2.2 verdict with its facts for whoever reads the application."""
    config = current_app.config
    facts = eligibility_facts(app, today(), config["MIN_OPERATING_MONTHS"], config["SOCIAL_MIN_USERS"])
    problems = ops.submission_problems(app) if app.status in aggregate.EDITABLE else []
    return problems, {"eligibility": facts, "submitted": _submitted(app)}


def _submitted(app) -> dict:
    """C2.10, S8: what each earlier round submitted, readable — {round: (fill date, contact, rows)} with forms,
    regions and services by their names (two lookups, whatever the number of rounds)."""
    earlier = [r for r in app.rounds if r.outcome is not None]
    if not earlier:
        return {}
    locale = current_locale()
    codes = {code for r in earlier for row in r.content.get("rows", []) for code in row.get("regions", [])}
    regions = {r.code: r.name(locale) for r in all_regions() if r.code in codes}
    services = {s.code: s.name(locale) for s in db.session.scalars(sa.select(Service))}
    out = {}
    for r in earlier:
        rows = [
            {
                "name": row.get("name", ""),
                "form": ChannelForm(row["form"]).title(locale) if row.get("form") else "",
                "access_mode": AccessMode(row["access_mode"]).title(locale) if row.get("access_mode") else "",
                "regions": "、".join(regions.get(c, c) for c in row.get("regions", [])) or _("全国范围"),
                "services": "、".join(services.get(c, c) for c in row.get("services", [])),
            }
            for row in r.content.get("rows", [])
        ]
        contact = " ".join(filter(None, (r.content.get(k) for k in ("contact_name", "contact_phone"))))
        out[r.round] = {"fill_date": r.content.get("fill_date"), "contact": contact, "rows": rows}
    return out


register_page(ApplicationKind.test, _test_intake_page)
