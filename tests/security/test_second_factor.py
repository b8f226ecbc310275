"""TOTP second factor for staff (S11): RFC 6238 vectors, no code reuse, enrolment gate, API tokens, fresh
re-authentication before revealing a key or changing the factor."""

import base64
import hashlib

import pytest

from app.core import totp
from app.modules.accounts import operations as ops
from tests.conftest import PASSWORD, World, file_application, login, next_code, release_clock


@pytest.mark.parametrize(("t", "expected"), [(59, "94287082"), (1111111109, "07081804"), (2000000000, "69279037")])
def test_rfc6238_sha1_vectors(t, expected):
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, t // 30, digits=8, digest=hashlib.sha1) == expected


def test_s11_staff_sign_in_needs_the_code(world, client):
    response = client.post("/login", data={"username": "jinan", "password": PASSWORD})
    assert "/login/verify" in response.headers["Location"]
    assert client.get("/").status_code == 302
    assert client.post("/login/verify", data={"code": "000000"}).status_code == 200
    assert client.get("/").status_code == 302


def test_s11_a_used_code_is_refused(world, client):
    code = next_code(world.jinan)
    try:
        ops.check_second_factor(world.jinan, code)
        with pytest.raises(ops.LoginFailed):
            ops.check_second_factor(world.jinan, code)
    finally:
        release_clock()


def test_s11_company_accounts_need_no_second_factor(world, client):
    response = client.post("/login", data={"username": "company_a", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_s11_new_staff_must_enrol_before_anything_else(world, client):
    from app.core.enums import Role
    from app.modules.accounts.operations import create_user

    create_user("yantai", PASSWORD, Role.municipal_reviewer, "烟台", region_code="370600")
    response = client.post("/login", data={"username": "yantai", "password": PASSWORD})
    assert response.headers["Location"] == "/account/mfa"
    assert client.get("/reviews").headers["Location"] == "/account/mfa"
    page = client.get("/account/mfa").text
    assert "<svg" in page and "otpauth://totp/" in page
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    assert client.post("/account/mfa", data={"code": totp.code_at(secret, totp.current_step())}).status_code == 302
    assert client.get("/reviews").status_code == 200


def test_s11_api_token_for_staff_needs_the_code(world, client):
    plain = client.post("/api/v1/auth/token", json={"username": "operator", "password": PASSWORD})
    assert plain.status_code == 401
    try:
        with_code = client.post(
            "/api/v1/auth/token", json={"username": "operator", "password": PASSWORD, "otp": next_code(world.operator)}
        )
    finally:
        release_clock()
    assert with_code.status_code == 201


def test_fresh_reauthentication_before_revealing_a_key(world, client):
    from tests.key_issuance.test_issue import approved_application

    app = approved_application(world)
    login(client, "operator")
    with client.session_transaction() as session:
        session.pop("reauth_at")
    response = client.get(f"/applications/{app.id}/issue")
    assert response.headers["Location"].startswith("/account/reauth")
    try:
        client.post("/account/reauth", data={"password": PASSWORD, "code": next_code(world.operator)})
    finally:
        release_clock()
    assert client.get(f"/applications/{app.id}/issue").status_code == 200


def test_api_issue_refuses_without_reauthentication(world, client):
    from tests.conftest import bearer
    from tests.key_issuance.test_issue import approved_application

    app = approved_application(world)
    response = client.post(
        f"/api/v1/applications/{app.id}/complete", headers=bearer(world.operator), json={"password": "wrong-password"}
    )
    assert response.status_code == 401
    assert file_application  # the application stays approved:
    from app.core.enums import ApplicationStatus
    from app.extensions import db

    db.session.refresh(app)
    assert app.status == ApplicationStatus.approved


def test_changing_the_second_factor_needs_fresh_reauthentication(world, client):
    login(client, "jinan")
    with client.session_transaction() as session:
        session.pop("reauth_at")
    assert client.get("/account/mfa").headers["Location"].startswith("/account/reauth")


def test_admin_resets_a_lost_second_factor(world, client):
    ops.reset_totp(world.jinan)
    assert not world.jinan.totp_enabled
    response = client.post("/login", data={"username": "jinan", "password": PASSWORD})
    assert response.headers["Location"] == "/account/mfa"
    assert World  # fixtures build staff through the same enrolment
