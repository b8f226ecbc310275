"""The operator step page: confirm, then assign numbers and issue test keys; the secrets are shown once."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import DomainError
from app.core.i18n import current_locale
from app.core.jurisdiction import get_application
from app.modules.accounts.forms import ActionForm
from app.modules.accounts.views import fresh_auth
from app.modules.key_issuance.operations import complete_test_intake, issuance_refusal


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
