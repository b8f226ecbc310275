"""S2, C1.4: a provincial permission administrator sees only their reach in every list — accounts, the login log,
the audit log, organisations, the home page — through the pages and the API. A matrix of admin-visible list
endpoints × administrators."""

import pytest
import sqlalchemy as sa

from app.core.enums import Role
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts.models import User
from tests.conftest import PASSWORD, World, bearer, login

OUTSIDE = ("guangzhou", "guangdong", "company_a", "national", "operator", "auditor")
INSIDE = ("jinan", "qingdao", "shandong")


@pytest.fixture
def provincial_admin(world):
    admin = World.user("admin_sd", Role.admin, region_code="370000")
    for name in OUTSIDE + INSIDE:  # every account signs in once, so the logs hold something of each
        with pytest.raises(ops.LoginFailed):
            ops.authenticate(name, "wrong-password", ip="192.0.2.1")
    ops.unlock_user(world.guangzhou)  # an audit entry about an account outside the reach
    ops.unlock_user(world.jinan)  # and one about an account inside it
    return admin


def _names(user_ids) -> set[str]:
    return set(db.session.scalars(sa.select(User.username).where(User.id.in_(list(user_ids)))))


# list endpoint -> how to read the account names out of its JSON
LISTS = {
    "/api/v1/users": lambda body: {i["username"] for i in body["items"]},
    "/api/v1/login-log": lambda body: {i["username"] for i in body["items"]},
    "/api/v1/audit?per_page=200": lambda body: _names(
        {int(i["object_id"]) for i in body["items"] if i["object_type"] == "user_account"}
        | {i["actor_id"] for i in body["items"] if i["actor_id"]}
    ),
}


@pytest.mark.parametrize("url", list(LISTS))
def test_s2_every_admin_list_holds_only_the_reach(world, client, provincial_admin, url):
    names = LISTS[url](client.get(url, headers=bearer(provincial_admin)).json)
    assert not names & set(OUTSIDE), (url, names & set(OUTSIDE))
    assert names & set(INSIDE), url
    national = LISTS[url](client.get(url, headers=bearer(world.admin)).json)
    assert national & set(OUTSIDE), url  # the national administrator sees beyond the province


def test_s2_provincial_admin_pages_hold_only_the_reach(world, client, provincial_admin):
    login(client, "admin_sd")
    for path in ("/admin/users", "/admin/login-log", "/audit"):
        page = client.get(path).text
        assert "guangzhou" not in page and "company_a" not in page, path
    assert "jinan" in client.get("/admin/users").text


def test_s2_organisations_are_national(world, client, provincial_admin):
    assert client.get("/api/v1/organisations", headers=bearer(provincial_admin)).json["items"] == []
    refused = client.post(
        "/api/v1/organisations",
        headers=bearer(provincial_admin),
        json={"name": "x", "uscc": "9" * 18, "category": "bank"},
    )
    assert refused.status_code == 403
    assert len(client.get("/api/v1/organisations", headers=bearer(world.admin)).json["items"]) == 2


def test_s11_invalid_log_filters_are_422(world, client):
    headers = bearer(world.admin)
    bad_day = client.get("/api/v1/login-log?day=0000-00-00", headers=headers)
    assert bad_day.status_code == 422 and "day" in bad_day.json["error"]["fields"]
    assert client.get("/api/v1/login-log?outcome=maybe", headers=headers).status_code == 422
    assert client.get("/api/v1/audit?since=2026-13-01", headers=headers).status_code == 422
    assert PASSWORD
