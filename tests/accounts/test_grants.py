"""S2 staff administration: the permission administrator grants and withdraws roles and jurisdictions within their
reach (a national administrator: all; a provincial one: reviewers of the province), never their own; every grant is
kept and audited; a withdrawn role leaves an account that cannot act. S11: the login log is searchable."""

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.enums import Role
from app.core.errors import NotFound, RuleViolation
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.messaging.models import Message
from tests.conftest import PASSWORD, World, bearer, login


@pytest.fixture
def shandong_admin(world):
    return World.user("admin_sd", Role.admin, region_code="370000")


def test_s2_the_national_admin_grants_a_new_role_the_history_is_kept(world, client):
    token = bearer(world.jinan)
    ops.grant_role(world.admin, world.jinan.id, "provincial_reviewer", "370000")
    assert (world.jinan.role, world.jinan.region_code) == ("provincial_reviewer", "370000")
    grants = ops.grants_of(world.jinan)
    assert [(g.role.value, g.region_code) for g in grants] == [
        ("provincial_reviewer", "370000"),
        ("municipal_reviewer", "370100"),
    ]
    assert grants[1].withdrawn_at is not None and grants[0].granted_by_id == world.admin.id
    assert client.get("/api/v1/me", headers=token).status_code == 401  # old tokens end with the old role
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user.role_grant")).all()
    assert audit[-1].before["role"] == "municipal_reviewer" and audit[-1].actor_name == "admin"
    told = db.session.scalars(sa.select(Message).where(Message.user_id == world.jinan.id)).all()
    assert any("权限已变更" in m.subject for m in told)


def test_s2_a_grant_outside_the_admins_reach_is_refused_and_nothing_changes(world, shandong_admin):
    ops.grant_role(shandong_admin, world.jinan.id, "municipal_reviewer", "370200")  # within Shandong
    assert world.jinan.region_code == "370200"
    for role, region in (("municipal_reviewer", "440100"), ("provincial_reviewer", "440000"), ("operator", None)):
        with pytest.raises(RuleViolation) as exc:
            ops.grant_role(shandong_admin, world.jinan.id, role, region)
        assert exc.value.code == "S2"
    assert world.jinan.region_code == "370200" and len(ops.grants_of(world.jinan)) == 2
    with pytest.raises(NotFound):
        ops.grant_role(shandong_admin, world.guangzhou.id, "municipal_reviewer", "370100")  # not their account
    with pytest.raises(NotFound):
        ops.managed_user(shandong_admin, world.operator.id)
    with pytest.raises(RuleViolation):
        ops.create_user("x_op", PASSWORD, "operator", "某", actor=shandong_admin)
    listed = {u.username for u in db.session.scalars(ops.users_in_reach(shandong_admin))}
    assert listed == {"jinan", "qingdao", "shandong"}
    with pytest.raises(RuleViolation):
        ops.grant_role(world.admin, world.admin.id, "operator")  # never their own role


def test_s2_a_withdrawn_role_leaves_an_account_that_cannot_act(world):
    with pytest.raises(RuleViolation):
        ops.withdraw_role(world.admin, world.company_a.id, "")
    ops.withdraw_role(world.admin, world.company_a.id, "离职")
    assert world.company_a.role is None and not world.company_a.is_active
    with pytest.raises(ops.LoginFailed):
        ops.authenticate("company_a", PASSWORD)
    last = db.session.scalars(ops.search_login_log(world.admin, username="company_a")).first()
    assert last.reason == "no_role"
    assert ops.grants_of(world.company_a)[0].reason == "离职"
    told = db.session.scalars(sa.select(Message).where(Message.user_id == world.company_a.id)).all()
    assert any("离职" in m.body and "渠道所属单位" in m.body for m in told)  # told by messaging, listening (S2)
    ops.grant_role(world.admin, world.company_a.id, "company", organisation_id=world.org_a.id)
    assert ops.authenticate("company_a", PASSWORD).role == "company"


def test_s2_s11_through_the_pages_and_the_api(world, client):
    login(client, "admin")
    assert "授权记录" in client.get(f"/admin/users/{world.qingdao.id}").text
    client.post(
        f"/admin/users/{world.qingdao.id}/role",
        data={"role": "municipal_reviewer", "organisation_id": "0", "region_code": "370600"},
    )
    db.session.expire_all()
    assert world.qingdao.region_code == "370600"
    client.post(f"/admin/users/{world.qingdao.id}/role/withdraw", data={"reason": "调岗"})
    db.session.expire_all()
    assert world.qingdao.role is None
    assert "无角色" in client.get("/admin/users").text
    api = bearer(world.admin)
    granted = client.put(
        f"/api/v1/users/{world.qingdao.id}/role",
        headers=api,
        json={"role": "municipal_reviewer", "region_code": "370200"},
    )
    assert granted.status_code == 200 and granted.json["region_code"] == "370200"
    bad = client.put(
        f"/api/v1/users/{world.qingdao.id}/role",
        headers=api,
        json={"role": "provincial_reviewer", "region_code": "370200"},
    )
    assert bad.status_code == 422  # a provincial reviewer is bound to a province
    withdrawn = client.post(f"/api/v1/users/{world.guangzhou.id}/role/withdraw", headers=api, json={"reason": "离职"})
    assert withdrawn.status_code == 200 and withdrawn.json["role"] is None
    history = client.get(f"/api/v1/users/{world.qingdao.id}/grants", headers=api).json["items"]
    assert [g["region_code"] for g in history] == ["370200", "370600", "370200"]
    client.post("/login", data={"username": "nobody", "password": "x"})
    failures = client.get("/api/v1/login-log?outcome=failure", headers=api).json["items"]
    assert failures and all(not e["success"] for e in failures)
    assert "nobody" in client.get("/admin/login-log?outcome=failure").text


def test_s2_a_provincial_admin_sees_only_their_reach_through_the_api(world, client, shandong_admin):
    api = bearer(shandong_admin)
    assert client.get(f"/api/v1/users/{world.operator.id}/grants", headers=api).status_code == 404
    assert client.post(f"/api/v1/users/{world.operator.id}/unlock", headers=api).status_code == 404
    refused = client.put(f"/api/v1/users/{world.jinan.id}/role", headers=api, json={"role": "operator"})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "S2"
