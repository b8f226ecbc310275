"""Agreement pages (C2.8, C4.11, C4.12): the versions and their texts, publishing (operator), the owner's signing page,
countersigning, and who has not signed a version yet."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.errors import DomainError
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_channel
from app.core.permissions import P, may
from app.core.timeutil import today
from app.modules.accounts.forms import ActionForm
from app.modules.agreements import operations as ops
from app.modules.agreements.forms import SignForm, VersionForm
from app.modules.agreements.rules import earliest_effective_date, is_outdated, needs_agreement
from app.modules.channels.panels import register_panel


def agreements():
    versions = ops.all_versions()
    form = VersionForm()
    if not form.effective_from.data:
        notice = current_app.config["AGREEMENT_NOTICE_MONTHS"]
        form.effective_from.data = earliest_effective_date(today(), notice) if versions else today()
    return render_template(
        "agreements/list.html",
        versions=versions,
        in_force=ops.current_version(),
        outdated={v.id: is_outdated(v, versions, today()) for v in versions},
        form=form,
        pending=ops.pending_countersignatures() if may(current_user, P.agreement_manage) else [],
        action_form=ActionForm(),
    )


def publish_version():
    form = VersionForm()
    if form.validate_on_submit():
        try:
            version = ops.publish_version(
                current_user, form.version.data, form.title.data or "", form.body.data, form.effective_from.data
            )
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已发布"), "success")
            return redirect(url_for("agreements.version_detail", version_id=version.id))
    else:
        flash(_("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("agreements.agreements"))


def version_detail(version_id: int):
    version = ops.get_version(version_id)
    states = ops.signing_states(version) if may(current_user, P.agreement_manage) else []
    return render_template(
        "agreements/version.html",
        version=version,
        states=states,
        unsigned=[s for s in states if s.state != "countersigned"],
        action_form=ActionForm(),
    )


def sign(channel_id: int, version_id: int):
    """The confirmation page: the full text, its SHA-256, and an explicit tick. The digest of the text shown is posted
    back, so a text changed in between is never signed by mistake."""
    channel = get_channel(current_user, channel_id)
    version = ops.get_version(version_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            ops.sign(current_user, channel, version.id, form.text_sha256.data, bool(form.confirm.data))
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已签署，待运营机构会签"), "success")
            return redirect(url_for("channels.channel_detail", channel_id=channel.id))
    form.text_sha256.data = version.sha256
    refusal = ops.signing_refusal(current_user, channel, version)
    return render_template(
        "agreements/sign.html",
        channel=channel,
        version=version,
        form=form,
        refusal=refusal.message(current_locale()) if refusal else None,
    )


def countersign(agreement_id: int):
    agreement = ops.get_agreement(agreement_id)
    if ActionForm().validate_on_submit():
        try:
            ops.countersign(current_user, agreement.id)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已会签"), "success")
    return redirect(url_for("agreements.agreements"))


def _channel_panel(channel, user) -> dict | None:
    """C2.8, C4.12: the channel's signed versions and what its owner can sign now."""
    if not needs_agreement(channel.category):
        return None
    signable = [v for v in ops.all_versions() if ops.signing_refusal(user, channel, v) is None]
    return {"agreements": ops.agreements_of(channel), "signable": signable}


register_panel(10, "agreements/_channel_panel.html", _channel_panel)
