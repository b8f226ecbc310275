from flask import Blueprint

from app.modules.accounts import views

bp = Blueprint("accounts", __name__, template_folder="templates")
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/login/verify", "verify_code", views.verify_code, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/locale/<code>", "set_locale", views.set_locale, methods=["POST"])
bp.add_url_rule("/account/mfa", "mfa_setup", views.mfa_setup, methods=["GET", "POST"])
bp.add_url_rule("/account/reauth", "reauth", views.reauth, methods=["GET", "POST"])
bp.add_url_rule("/account", "account", views.account, methods=["GET", "POST"])
bp.add_url_rule("/admin/users", "list_users", views.list_users)
bp.add_url_rule("/admin/users/new", "new_user", views.new_user, methods=["GET", "POST"])
bp.add_url_rule("/admin/users/<int:user_id>", "user_detail", views.user_detail)
bp.add_url_rule("/admin/users/<int:user_id>/role", "grant_role", views.grant_role, methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/role/withdraw", "withdraw_role", views.withdraw_role, methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/unlock", "unlock_user", views.unlock_user, methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/active", "set_active", views.set_active, methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/totp-reset", "reset_totp", views.reset_totp, methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/password", "reset_password", views.reset_password, methods=["GET", "POST"])
bp.add_url_rule("/admin/organisations", "list_organisations", views.list_organisations)
bp.add_url_rule("/admin/organisations/new", "new_organisation", views.new_organisation, methods=["GET", "POST"])
bp.add_url_rule(
    "/admin/organisations/<int:org_id>/category",
    "organisation_category",
    views.organisation_category,
    methods=["GET", "POST"],
)
bp.add_url_rule("/admin/login-log", "login_log", views.login_log)
