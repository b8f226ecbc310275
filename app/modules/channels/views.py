"""Channel pages: list and detail (scoped by jurisdiction), the service catalogue."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.core.enums import ChannelStatus
from app.core.errors import DomainError
from app.core.http.forms import apply_error
from app.core.http.pagination import choice_arg, paginate
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_channel, visible_channels
from app.core.permissions import acts_for
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.channels import operations as ops
from app.modules.channels.forms import ContactForm, ServiceForm
from app.modules.channels.models import Channel, Service
from app.modules.channels.panels import actions_of, panels_of


def list_channels():
    query = visible_channels(current_user)
    status = choice_arg("status", ChannelStatus)
    if status:
        query = query.where(Channel.status == status)
    page = paginate(query.options(joinedload(Channel.owner)).order_by(Channel.id.desc()))
    return render_template("channels/list.html", page=page, status=status, statuses=ChannelStatus)


def channel_detail(channel_id: int):
    channel = get_channel(current_user, channel_id)
    return render_template(
        "channels/detail.html",
        channel=channel,
        form=ActionForm(),
        contact_form=_contact_form(channel),
        contact_history=ops.contact_history(channel),
        panels=panels_of(channel, current_user),
        actions=actions_of(channel, current_user),
    )


def _contact_form(channel):
    own = acts_for(current_user, channel.owner_id)
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
