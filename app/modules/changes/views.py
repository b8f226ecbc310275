"""Change application pages (C4.1): the owner's form from the channel page; the operator's decision on the
application page."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.enums import ApplicationKind
from app.core.errors import DomainError
from app.core.http.forms import apply_error, choices
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_application, get_channel
from app.extensions import db
from app.modules.applications.kinds import register_page
from app.modules.applications.views import region_choices
from app.modules.changes import operations as ops
from app.modules.changes.forms import ChangeForm
from app.modules.changes.operations import creation_refusal
from app.modules.channels.models import Service
from app.modules.channels.panels import register_action
from app.modules.reviews.forms import DecisionForm


def change_channel(channel_id: int):
    channel = get_channel(current_user, channel_id)
    refusal = ops.creation_refusal(current_user, channel)
    if refusal:
        raise refusal
    form = ChangeForm()
    if not form.is_submitted():
        form.regions.data = [r.code for r in channel.regions]
        form.services.data = [s.code for s in channel.services]
    form.regions.choices = choices(region_choices())
    services = db.session.scalars(sa.select(Service).where(Service.active).order_by(Service.sort_order)).all()
    form.services.choices = choices([(s.code, s.name(current_locale())) for s in services])
    if form.validate_on_submit():
        data = {"regions": form.regions.data, "services": form.services.data, "reason": form.reason.data}
        try:
            app = ops.apply_for_change(current_user, channel.id, data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("变更申请已提交"), "success")
            return redirect(url_for("applications.application_detail", app_id=app.id))
    return render_template("changes/change.html", channel=channel, form=form)


def decide_change(app_id: int):
    app = get_application(current_user, app_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            ops.decide_change(
                current_user,
                app.id,
                form.decision.data == "approve",
                form.opinion.data or "",
                form.contact.data,
                form.phone.data,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已保存"), "success")
    else:
        flash(_("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("applications.application_detail", app_id=app.id))


register_action(10, "changes/_channel_action.html", lambda channel, user: creation_refusal(user, channel) is None)


def _change_page(app, user) -> tuple[list, dict]:
    """C4.1: the scope before and requested, the reason, and the operator's decision form when it is due."""
    content = app.rounds[0].content if app.rounds else {}
    due = ops.decision_refusal(user, app) is None
    change = {"before": content.get("before", {}), "reason": content.get("reason", "")}
    return [], {"change": change, "change_form": DecisionForm() if due else None}


register_page(ApplicationKind.change, _change_page)
