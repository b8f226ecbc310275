"""The operator step page: confirm, then assign numbers and issue test keys; the secrets are shown once."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import DomainError, NotFound
from app.core.i18n import N_, current_locale, gettext
from app.core.jurisdiction import get_application, get_channel
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts.forms import ActionForm, ReasonForm
from app.modules.accounts.views import fresh_auth
from app.modules.channels.panels import register_panel
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.models import ChannelKey
from app.modules.key_issuance.operations import complete_test_intake, issuance_refusal
from app.modules.key_issuance.rules import ALLOWED, allowed, effective_status


def issue(app_id: int):
    """Revealing a key needs a fresh proof of identity (password and one-time code within REAUTH_MINUTES)."""
    app = get_application(current_user, app_id)
    form = ActionForm()
    if not fresh_auth():
        return redirect(url_for("accounts.reauth", next=request.path))
    if form.validate_on_submit():
        try:
            issued = complete_test_intake(current_user, app.id)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
            return redirect(url_for("applications.application_detail", app_id=app.id))
        return render_template("key_issuance/issued.html", app=app, issued=issued)
    refusal = issuance_refusal(current_user, app)
    return render_template(
        "key_issuance/confirm.html", app=app, form=form, refusal=refusal.message(current_locale()) if refusal else None
    )


ACTIONS = {
    # action: (title, warning, needs a reason, needs fresh re-authentication)
    "suspend": (N_("暂停密钥"), N_("暂停后，使用该密钥的请求将被拒绝，直至恢复。"), True, False),
    "resume": (N_("恢复密钥"), N_("恢复后，该密钥可以再次使用。"), False, False),
    "rotate": (N_("轮换密钥"), N_("将签发新密钥并仅显示一次；旧密钥在过渡期后失效。"), False, True),
    "revoke": (N_("吊销密钥"), N_("吊销不可撤销：使用该密钥的请求将立即被拒绝。"), True, True),
    "destroy": (N_("销毁密钥"), N_("销毁将永久删除密钥材料，只保留其存在记录，且不可恢复。"), False, True),
}


def key_action(key_id: str, action: str):
    """S10: a dangerous action is explained and confirmed on its own page before it runs."""
    key = db.session.scalar(sa.select(ChannelKey).where(ChannelKey.key_id == key_id))
    if key is None or action not in ACTIONS:
        raise NotFound()
    get_channel(current_user, key.channel_id)
    title, warning, needs_reason, needs_reauth = ACTIONS[action]
    if needs_reauth and not fresh_auth():
        return redirect(url_for("accounts.reauth", next=request.path))
    form = ReasonForm() if needs_reason else ActionForm()
    if form.validate_on_submit():
        try:
            result = _run(action, key, getattr(form, "reason", None))
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            if action == "rotate":
                return render_template("key_issuance/rotated.html", issued=result)
            flash(gettext("已保存"), "success")
        return redirect(url_for("channels.channel_detail", channel_id=key.channel_id))
    return render_template("key_issuance/confirm_key.html", key=key, form=form, title=title, warning=warning)


def _run(action: str, key, reason_field):
    reason = reason_field.data if reason_field is not None else ""
    verbs = {
        "suspend": lambda: ops.suspend_key(current_user, key, reason),
        "resume": lambda: ops.resume_key(current_user, key),
        "rotate": lambda: ops.rotate_key(current_user, key),
        "revoke": lambda: ops.revoke_key(current_user, key, reason),
        "destroy": lambda: ops.destroy_key(current_user, key),
    }
    return verbs[action]()


def _channel_panel(channel, user) -> dict:
    """C5.1: the channel's keys, with the actions each allows now."""
    now = utcnow()
    return {"key_actions": {k.id: [a for a in ALLOWED if allowed(a, effective_status(k, now))] for k in channel.keys}}


register_panel(20, "key_issuance/_channel_panel.html", _channel_panel)
