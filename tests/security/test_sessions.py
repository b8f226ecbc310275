"""Server-side sessions (ASVS 7, S11): new id at sign-in, logout and disabling end them at once, idle and absolute
timeouts, cookie flags."""

from datetime import timedelta

import sqlalchemy as sa

from app.core import timeutil
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts.models import WebSession
from tests.conftest import login

COOKIE = "essc_session"


def cookie(client) -> str | None:
    found = client.get_cookie(COOKIE)
    return found.value if found else None


def test_s11_a_captured_cookie_no_longer_works_after_logout(world, client, app):
    login(client, "company_a")
    captured = cookie(client)
    assert client.get("/").status_code == 200
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie(COOKIE, captured)
    assert thief.get("/").status_code == 302
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(WebSession).where(WebSession.user_id.isnot(None))) == 0
    )


def test_s11_signing_in_issues_a_new_session_id(world, client):
    client.get("/login")
    before = cookie(client)
    login(client, "company_a")
    after = cookie(client)
    assert after and after != before


def test_s11_disabling_an_account_ends_its_sessions_at_once(world, client, app):
    login(client, "company_a")
    assert client.get("/").status_code == 200
    ops.set_active(world.company_a, False)
    assert client.get("/").status_code == 302


def test_s11_password_reset_ends_sessions(world, client):
    login(client, "company_a")
    ops.reset_password(world.company_a, "another-long-password")
    assert client.get("/").status_code == 302


def test_s11_idle_timeout(world, client, app):
    login(client, "company_a")
    timeutil.freeze(timeutil.utcnow() + timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    assert client.get("/").status_code == 302


def test_s11_activity_keeps_a_session_alive_until_the_absolute_lifetime(world, client, app):
    login(client, "company_a")
    start = timeutil.utcnow()
    step = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
    moment = start
    while moment + step < start + timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"]):
        moment += step
        timeutil.freeze(moment)
        assert client.get("/").status_code == 200
    timeutil.freeze(start + timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1))
    assert client.get("/").status_code == 302


def test_session_cookie_flags(world, client):
    response = client.post("/login", data={"username": "company_a", "password": "correct-horse-battery"})
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_production_cookies_are_secure(app):
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_session_token_is_stored_only_hashed(world, client):
    login(client, "company_a")
    token = cookie(client)
    stored = db.session.scalars(sa.select(WebSession.id)).all()
    assert token not in stored and len(stored[0]) == 64


def _rows() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(WebSession))


def test_anonymous_pages_create_no_session_rows(world, client, app):
    """Every anonymous GET /login used to create a row; anonymous state now travels in its signed cookie."""
    for _ in range(5):
        assert client.get("/login").status_code == 200
        app.test_client().get("/login")
    assert _rows() == 0
    app.config["WTF_CSRF_ENABLED"] = True
    try:  # the sign-in form's CSRF token still round-trips through the anonymous cookie
        page = client.get("/login").text
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"username": "company_a", "password": "correct-horse-battery", "csrf_token": token}
        )
        assert response.status_code == 302 and _rows() == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_expired_session_rows_are_purged_by_the_daily_job(world, client, app):
    from app.core.jobs import daily_checks

    login(client, "company_a")
    app.test_client().get("/login")
    assert _rows() == 1
    timeutil.freeze(timeutil.utcnow() + timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    result = daily_checks()
    assert result["expired_sessions"]["result"]["deleted"] == 1 and _rows() == 0


def test_the_pending_second_factor_secret_is_never_in_the_session(world, client):
    from app.core.enums import Role

    ops.create_user("yantai", "correct-horse-battery", Role.municipal_reviewer, "烟台", region_code="370600")
    client.post("/login", data={"username": "yantai", "password": "correct-horse-battery"})
    page = client.get("/account/mfa").text
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    wrong = client.post("/account/mfa", data={"code": "000000"})
    assert secret in wrong.text  # a wrong code shows the same pending secret again, unsealed from the account row
    db.session.expire_all()
    stored = " ".join(str(row.data) for row in db.session.scalars(sa.select(WebSession)))
    assert secret not in stored and "pending_totp" not in stored
