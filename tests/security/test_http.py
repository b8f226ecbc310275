"""HTTP hygiene (ASVS 3, 13, 14): security headers everywhere, no caching of private pages, no state change on GET,
CSRF on every cookie-authenticated state change, generic error bodies."""

import pytest

from app.extensions import db
from tests.conftest import login


@pytest.mark.parametrize("path", ["/login", "/api/v1/openapi.json", "/healthz", "/nope"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "max-age=" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_private_pages_are_not_cached(world, client):
    login(client, "company_a")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_no_state_change_on_get(app):
    """Every rule that changes state answers POST/PUT/PATCH only; GET handlers render or redirect."""
    state_changing = {
        "accounts.logout",
        "accounts.set_locale",
        "applications.submit_application",
        "applications.withdraw_application",
        "applications.upload_attachment",
        "accounts.unlock_user",
        "accounts.set_active",
        "accounts.reset_totp",
        "channels.set_platform_capability",
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint in state_changing or (
            rule.endpoint.startswith("api.") and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        ):
            assert "GET" not in rule.methods, rule


def test_csrf_is_required_on_forms(world, client, app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": "company_a", "password": "correct-horse-battery"})
        assert response.status_code == 400 and "退出登录" not in response.text
        page = client.get("/login").text
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        signed_in = client.post(
            "/login", data={"username": "company_a", "password": "correct-horse-battery", "csrf_token": token}
        )
        assert signed_in.status_code == 302
        assert client.post("/logout").status_code == 400
        assert client.get("/").status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_error_bodies_are_generic(app, world):
    """An unexpected error answers with a generic message, never a traceback."""
    from app import create_app

    prod = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        KEYS_DIR=app.config["KEYS_DIR"],
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
    )

    @prod.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    from app.web.policy import PUBLIC, ROUTE_POLICY

    ROUTE_POLICY["boom"] = PUBLIC
    try:
        response = prod.test_client().get("/boom")
    finally:
        del ROUTE_POLICY["boom"]
        with prod.app_context():
            db.session.remove()
            db.engine.dispose()
    assert response.status_code == 500 and "secret internals" not in response.text and "Traceback" not in response.text


def test_separation_of_duties_no_route_alters_the_audit_trail(app):
    """S2: the permission administrator grants roles; nobody can erase traces through the service."""
    from app.core.enums import Role
    from app.core.permissions import ROLE_PERMISSIONS, Permission

    assert not [p for p in Permission if p.value.startswith(("audit:", "login_log:")) and not p.value.endswith(":read")]
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or "login-log" in rule.rule:
            assert rule.methods - {"GET", "HEAD", "OPTIONS"} == set(), rule
    assert Permission.user_manage in ROLE_PERMISSIONS[Role.admin]
