"""Channel pages: list and detail (scoped by jurisdiction), the service catalogue."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.enums import ChannelStatus
from app.core.errors import DomainError
from app.core.http.forms import apply_error
from app.core.http.pagination import choice_arg, paginate
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_channel, visible_applications, visible_channels
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.applications.models import Application, ApplicationRow
from app.modules.channels import operations as ops
from app.modules.channels.forms import ServiceForm
from app.modules.channels.models import Channel, Service
from app.modules.key_issuance.rules import ALLOWED, allowed, effective_status


def list_channels():
    query = visible_channels(current_user)
    status = choice_arg("status", ChannelStatus)
    if status:
        query = query.where(Channel.status == status)
    page = paginate(query.order_by(Channel.id.desc()))
    return render_template("channels/list.html", page=page, status=status, statuses=ChannelStatus)


def channel_detail(channel_id: int):
    channel = get_channel(current_user, channel_id)
    apps = (
        db.session.scalars(
            visible_applications(current_user)
            .join(ApplicationRow)
            .where(ApplicationRow.channel_id == channel.id)
            .order_by(Application.id.desc())
        )
        .unique()
        .all()
    )
    now = utcnow()
    key_actions = {k.id: [a for a in ALLOWED if allowed(a, effective_status(k, now))] for k in channel.keys}
    return render_template(
        "channels/detail.html",
        channel=channel,
        applications=apps,
        form=ActionForm(),
        key_actions=key_actions,
        **_intake_context(channel),
    )


def _intake_context(channel) -> dict:
    """What the owner can do next on the way to going live: production intake (C2.8), signing a version (C4.12)."""
    from app.modules.agreements import operations as agreements
    from app.modules.agreements.rules import needs_agreement
    from app.modules.changes.operations import creation_refusal as change_refusal
    from app.modules.monitoring.operations import statistics_of
    from app.modules.production.operations import creation_refusal

    versions = agreements.all_versions()
    return {
        "can_apply_production": creation_refusal(current_user, channel) is None,
        "can_apply_change": change_refusal(current_user, channel) is None,
        "needs_agreement": needs_agreement(channel.category),
        "agreements": agreements.agreements_of(channel),
        "signable": [v for v in versions if agreements.signing_refusal(current_user, channel, v) is None],
        "statistics": statistics_of(channel)[:24],
        "contact_form": _contact_form(channel),
        "contact_history": ops.contact_history(channel),
        "incidents": _incidents_of(channel),
    }


def _incidents_of(channel) -> list:
    """C3.5: the channel's incidents and its level-2 channels' (jointly liable, shown on the level-1 record)."""

    from app.modules.incidents.models import Incident
    from app.modules.incidents.operations import visible_incidents

    ids = [channel.id, *(c.id for c in channel.children)]
    query = visible_incidents(current_user).where(Incident.channel_id.in_(ids)).order_by(Incident.id.desc())
    return list(db.session.scalars(query))


def _contact_form(channel):
    from app.core.enums import ChannelStatus, Role
    from app.modules.channels.forms import ContactForm

    own = current_user.role == Role.company and channel.owner_id == current_user.organisation_id
    if not own or channel.status not in (ChannelStatus.live, ChannelStatus.suspended):
        return None
    return ContactForm(data=ops.contact_of(channel))


def set_platform_capability(channel_id: int):
    channel = get_channel(current_user, channel_id)
    if ActionForm().validate_on_submit():
        try:
            ops.set_platform_capability(channel, request.form.get("platform_capability") == "1")
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已保存"), "success")
    return redirect(url_for("channels.channel_detail", channel_id=channel.id))


def list_services():
    services = db.session.scalars(sa.select(Service).order_by(Service.sort_order, Service.code)).all()
    return render_template("channels/services.html", services=services)


def edit_service(code: str | None = None):
    service = db.session.get(Service, code) if code else None
    if code and service is None:
        abort(404)
    form = ServiceForm(obj=service)
    if service is not None:
        form.code.render_kw = form.kind.render_kw = {"disabled": True}
        form.code.data, form.kind.data = service.code, str(service.kind)
    if form.validate_on_submit():
        data = {
            f: form[f].data for f in ("name_zh", "name_en", "description", "allowed_categories", "active", "sort_order")
        }
        try:
            if service:
                ops.update_service(service.code, data)
            else:
                ops.create_service(data | {"code": form.code.data, "kind": form.kind.data})
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("channels.list_services"))
    return render_template("channels/service_form.html", form=form, service=service)


def change_contact(channel_id: int):
    """C4.2: the owner's contact form on the channel page."""
    from app.modules.channels.forms import ContactForm

    channel = get_channel(current_user, channel_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            ops.change_contact(current_user, channel, {f: form[f].data for f in ops.CONTACT_FIELDS})
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已保存"), "success")
    else:
        flash(_("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("channels.channel_detail", channel_id=channel.id))
