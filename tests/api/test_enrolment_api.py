"""Issue 16 item 5: staff enrol their second factor through the API (S11) — before, only the HTML page could, and the
token call answered "wrong or already used one-time code" to a staff member who had none yet."""

from app.core import totp
from app.core.enums import Role
from app.extensions import db
from app.modules.accounts import operations as accounts
from tests.conftest import PASSWORD, next_code, release_clock


def _reviewer():
    user = accounts.create_user(
        "zibo", PASSWORD, Role.municipal_reviewer, "淄博市信息中心 孙丽", region_code="370300", phone="13800000000"
    )
    db.session.commit()
    return user


def test_s11_the_token_call_says_the_second_factor_is_not_enrolled(app, client):
    _reviewer()
    answer = client.post("/api/v1/auth/token", json={"username": "zibo", "password": PASSWORD, "otp": "123456"})
    assert answer.status_code == 401 and answer.json["error"]["code"] == "totp_not_enrolled"
    assert "/api/v1/auth/totp-enrolment" in answer.json["error"]["message"]


def test_s11_staff_enrol_through_the_api_and_get_a_token(app, client):
    user = _reviewer()
    body = {"username": "zibo", "password": PASSWORD}
    wrong = client.post("/api/v1/auth/totp-enrolment", json=body | {"password": "wrong-password"})
    assert wrong.status_code == 401
    not_started = client.post("/api/v1/auth/totp-enrolment/confirmation", json=body | {"otp": "000000"})
    assert not_started.status_code == 409 and not_started.json["error"]["code"] == "totp_not_started"
    started = client.post("/api/v1/auth/totp-enrolment", json=body)
    assert started.status_code == 201 and started.json["otpauth_uri"].startswith("otpauth://totp/")
    secret = started.json["secret"]
    bad = client.post("/api/v1/auth/totp-enrolment/confirmation", json=body | {"otp": "000000"})
    assert bad.status_code == 401 and bad.json["error"]["code"] == "otp_invalid"
    db.session.refresh(user)
    try:
        confirmed = client.post(
            "/api/v1/auth/totp-enrolment/confirmation", json=body | {"otp": next_code(user, secret)}
        )
        assert confirmed.status_code == 201 and confirmed.json["token_type"] == "Bearer"
        db.session.refresh(user)
        assert user.totp_enabled
        again = client.post("/api/v1/auth/totp-enrolment", json=body)
        assert again.status_code == 409 and again.json["error"]["code"] == "totp_already_enrolled"
        token = client.post("/api/v1/auth/token", json=body | {"otp": next_code(user, secret)})
        assert token.status_code == 201
    finally:
        release_clock()
    assert totp.code_at(secret, 0)  # the secret the answer gave is the account's


def test_s11_a_company_account_needs_no_enrolment(world, client):
    answer = client.post("/api/v1/auth/totp-enrolment", json={"username": "company_a", "password": PASSWORD})
    assert answer.status_code == 409 and answer.json["error"]["code"] == "no_second_factor"
