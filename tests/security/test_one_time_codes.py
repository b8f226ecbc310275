"""S11 second factor under attack: a code is used once even when the same code arrives in parallel, wrong codes count
toward the lockout and are logged, and the lockout is per account and address (no remote denial of service)."""

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts.models import LoginLog
from tests.conftest import PASSWORD, in_parallel, login, next_code, release_clock

pytestmark = pytest.mark.commits  # real commits from several connections or processes

PARALLEL = 20


def _signed_in_password_step(base: str, username: str) -> requests.Session:
    http = requests.Session()
    response = http.post(f"{base}/login", data={"username": username, "password": PASSWORD}, allow_redirects=False)
    assert "/login/verify" in response.headers["Location"]
    return http


def test_s11_the_same_code_in_parallel_signs_in_once(app, world, live_server):
    sessions = [_signed_in_password_step(live_server, "operator") for _ in range(PARALLEL)]
    code = next_code(world.operator)
    try:
        responses = in_parallel(
            PARALLEL,
            lambda i: sessions[i].post(f"{live_server}/login/verify", data={"code": code}, allow_redirects=False),
        )
    finally:
        release_clock()
    accepted = [r for r in responses if r.status_code == 302 and r.headers["Location"] == "/"]
    assert len(accepted) == 1, [r.status_code for r in responses]


def test_s11_the_same_code_in_parallel_gives_one_api_token(app, world, live_server):
    code = next_code(world.operator)
    body = {"username": "operator", "password": PASSWORD, "otp": code}
    try:
        responses = in_parallel(
            PARALLEL, lambda i: requests.post(f"{live_server}/api/v1/auth/token", json=body, timeout=60)
        )
    finally:
        release_clock()
    assert sorted(r.status_code for r in responses).count(201) == 1, [r.status_code for r in responses]


def test_s11_the_same_code_in_parallel_reauthenticates_once(app, world, live_server):
    from tests.conftest import bearer
    from tests.key_issuance.test_issue import approved_application

    application = approved_application(world)
    headers = bearer(world.operator)
    db.session.commit()
    code = next_code(world.operator)
    url = f"{live_server}/api/v1/applications/{application.id}/complete"
    try:
        responses = in_parallel(
            PARALLEL,
            lambda i: requests.post(url, json={"password": PASSWORD, "otp": code}, headers=headers, timeout=60),
        )
    finally:
        release_clock()
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and statuses.count(401) == PARALLEL - 1, statuses


def _failures(username: str, reason: str) -> int:
    query = sa.select(sa.func.count()).where(LoginLog.username == username, LoginLog.reason == reason)
    return db.session.scalar(query)


def test_s11_wrong_codes_count_toward_the_lockout_and_are_logged(app, world, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    client.post("/login", data={"username": "jinan", "password": PASSWORD})
    for _ in range(limit):
        client.post("/login/verify", data={"code": "000000"})
    assert _failures("jinan", "wrong_code") == limit
    entry = db.session.scalar(sa.select(LoginLog).where(LoginLog.reason == "wrong_code"))
    assert entry.method == "totp" and not entry.success and entry.ip == "127.0.0.1"
    # the right password and the right code are now refused from this address
    response = login(client, "jinan")
    assert client.get("/").status_code == 302, response
    assert _failures("jinan", "locked") >= 1


def test_s11_re_entering_the_password_does_not_reset_the_count(app, world, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for attempt in range(limit):
        client.post("/login", data={"username": "jinan", "password": PASSWORD})
        client.post("/login/verify", data={"code": "000000"})
        assert attempt < limit - 1 or _failures("jinan", "wrong_code") == limit
    client.post("/login", data={"username": "jinan", "password": PASSWORD})
    assert client.get("/login/verify").status_code in (200, 302)
    assert _failures("jinan", "locked") == 1  # the password step itself is now refused


def test_s11_wrong_codes_at_reauthentication_count_and_are_logged(app, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        with pytest.raises(ops.LoginFailed):
            ops.reauthenticate(world.operator, PASSWORD, "000000")
    entry = db.session.scalar(sa.select(LoginLog).where(LoginLog.method == "reauth"))
    assert entry.reason == "wrong_code"
    try:
        with pytest.raises(ops.LoginFailed):  # locked now: even the right answers are refused from here
            ops.reauthenticate(world.operator, PASSWORD, next_code(world.operator))
    finally:
        release_clock()


def test_s11_a_lockout_from_one_address_leaves_the_owner_elsewhere_alone(app, world, client):
    """No remote denial of service: an attacker's failures lock only the attacker's address out of the account."""
    login(client, "company_a")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        with pytest.raises(ops.LoginFailed):
            ops.authenticate("company_a", "wrong-password", ip="203.0.113.9")
    with pytest.raises(ops.LoginFailed):
        ops.authenticate("company_a", PASSWORD, ip="203.0.113.9")
    assert client.get("/").status_code == 200  # the owner's session lives on
    assert ops.authenticate("company_a", PASSWORD, ip="198.51.100.7").id == world.company_a.id
    assert world.company_a.id in ops.locked_user_ids()
    ops.unlock_user(world.company_a)  # the administrator's unlock opens every address
    assert ops.authenticate("company_a", PASSWORD, ip="203.0.113.9")


def test_s11_wrong_codes_for_an_api_token_count_and_are_logged(app, world, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    body = {"username": "operator", "password": PASSWORD, "otp": "000000"}
    for _ in range(limit):
        assert client.post("/api/v1/auth/token", json=body).status_code == 401
    assert _failures("operator", "wrong_code") == limit
    try:  # this address is now locked out of the account: even the right code is refused
        right = client.post("/api/v1/auth/token", json=body | {"otp": next_code(world.operator)})
    finally:
        release_clock()
    assert right.status_code == 401 and _failures("operator", "locked") == 1
