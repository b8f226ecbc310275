"""Accounts (S2, S11, C2.2): USCC check digit, role bindings, lockout and unlock, reset, login log, API tokens."""

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.enums import Role
from app.core.errors import Conflict, RuleViolation
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts.models import LoginLog
from app.modules.accounts.rules import is_valid_uscc, make_uscc
from tests.conftest import PASSWORD, World, login, uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "911100001000044477"])
def test_c2_2_real_unified_social_credit_codes_validate(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize(
    "code", ["91350100M000100Y44", "91350100M000100Y4", "9135010OM000100Y43", "", "91ABCDEFM000100Y43"]
)
def test_c2_2_bad_unified_social_credit_codes_fail(code):
    assert not is_valid_uscc(code)


def test_c2_2_organisation_with_bad_uscc_is_refused(app):
    with pytest.raises(RuleViolation) as exc:
        ops.create_organisation("X", "91350100M000100Y44", category="social")
    assert exc.value.code == "C2.2_uscc"


def test_duplicate_uscc_is_refused(app):
    ops.create_organisation("X", uscc(5), category="social")
    with pytest.raises(Conflict):
        ops.create_organisation("Y", uscc(5).lower(), category="bank")


def test_s2_reviewer_roles_bind_the_right_region_level(world):
    with pytest.raises(RuleViolation):
        World.user("bad1", Role.municipal_reviewer, region_code="370000")
    with pytest.raises(RuleViolation):
        World.user("bad2", Role.provincial_reviewer, region_code="370100")
    with pytest.raises(RuleViolation):
        World.user("bad3", Role.company)


def test_password_is_hashed_with_a_kdf(world):
    assert PASSWORD not in world.company_a.password_hash
    assert world.company_a.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_s11_lockout_after_repeated_failures_then_unlock(world, client):
    for _ in range(5):
        with pytest.raises(ops.LoginFailed):
            ops.authenticate("company_a", "wrong-password")
    assert world.company_a.id in ops.locked_user_ids()
    with pytest.raises(ops.LoginFailed):
        ops.authenticate("company_a", PASSWORD)
    login(client, "admin")
    assert client.post(f"/admin/users/{world.company_a.id}/unlock").status_code == 302
    db.session.refresh(world.company_a)
    assert not ops.locked_user_ids()
    assert ops.authenticate("company_a", PASSWORD).id == world.company_a.id
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.object_id == str(world.company_a.id), AuditEntry.object_type == "user_account"
        )
    ).all()
    assert "user.lock" in actions and "user.unlock" in actions


def test_s11_same_answer_for_unknown_user_and_wrong_password(world, client):
    unknown = client.post("/login", data={"username": "nobody", "password": "x" * 12})
    wrong = client.post("/login", data={"username": "company_a", "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 200
    assert "用户名或密码错误" in unknown.text and "用户名或密码错误" in wrong.text


def test_s11_login_log_records_every_attempt(world, client):
    login(client, "company_a", "wrong-password")
    login(client, "company_a")
    rows = db.session.scalars(sa.select(LoginLog).where(LoginLog.username == "company_a").order_by(LoginLog.id)).all()
    assert [(r.success, r.reason) for r in rows] == [(False, "wrong_password"), (True, "ok")]
    client.post("/logout")
    login(client, "admin")
    page = client.get("/admin/login-log?username=company_a").text
    assert "密码错误" in page and "wrong_password" not in page  # titles, never raw codes


def test_s11_admin_resets_password_and_revokes_tokens(world, client):
    headers = {"Authorization": f"Bearer {ops.create_api_token(world.company_a)}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    ops.reset_password(world.company_a, "a-new-long-password")
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert ops.authenticate("company_a", "a-new-long-password")


def test_s2_admin_creates_staff_through_the_ui(world, client):
    login(client, "admin")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "yantai",
            "display_name": "烟台审核员",
            "role": "municipal_reviewer",
            "organisation_id": "0",
            "region_code": "370600",
            "email": "",
            "phone": "",
            "password": "long-enough-pass",
        },
    )
    assert response.status_code == 302
    assert ops.authenticate("yantai", "long-enough-pass").region_code == "370600"


def test_s2_admin_creates_an_organisation_through_the_api(world, client):
    from tests.conftest import bearer

    response = client.post(
        "/api/v1/organisations",
        headers=bearer(world.admin),
        json={"name": "新单位", "uscc": make_uscc("91370100000000077"), "category": "bank"},
    )
    assert response.status_code == 201
    bad = client.post(
        "/api/v1/organisations", headers=bearer(world.admin), json={"name": "坏", "uscc": "1" * 18, "category": "bank"}
    )
    assert bad.status_code == 422 and bad.json["error"]["code"] == "C2.2_uscc"


def test_api_token_is_stored_hashed(world):
    from app.modules.accounts.models import ApiToken

    token = ops.create_api_token(world.company_a)
    assert db.session.scalar(sa.select(ApiToken.token_hash)) != token
    assert ops.user_for_token(token).id == world.company_a.id


def test_logout_ends_the_session(world, client):
    login(client, "company_a")
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_locale_switches_to_english(world, client):
    login(client, "company_a")
    assert client.get("/locale/en").status_code == 405
    client.post("/locale/en")
    page = client.get("/").text
    assert "To-do workbench" in page and 'lang="en"' in page
