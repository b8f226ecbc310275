"""Deny by default (S2): every URL rule has a policy entry, and every role gets what the policy says on every endpoint.
Jurisdiction (C1.4): across organisations and cities an object is 404 and no foreign id appears in any body."""

import io
import json

import pytest
import sqlalchemy as sa

from app.core.enums import Role
from app.core.permissions import has_permission
from app.extensions import db
from app.modules.applications import operations as ops
from app.modules.reviews.models import ReviewStep
from app.web.policy import AUTHENTICATED, CHANNEL_SIGNED, PUBLIC, ROUTE_POLICY
from tests.conftest import PDF, bearer, file_application, login

ROLES = [None, *list(Role)]
USERNAMES = {
    Role.company: "company_a",
    Role.municipal_reviewer: "jinan",
    Role.provincial_reviewer: "shandong",
    Role.national_reviewer: "national",
    Role.operator: "operator",
    Role.admin: "admin",
    Role.auditor: "auditor",
}


def test_every_url_rule_has_a_policy_entry(app):
    missing = [r.endpoint for r in app.url_map.iter_rules() if r.endpoint not in ROUTE_POLICY]
    assert missing == []
    stale = set(ROUTE_POLICY) - {r.endpoint for r in app.url_map.iter_rules()}
    assert stale == set()


def test_an_unlisted_endpoint_is_refused(app, world, client, monkeypatch):
    monkeypatch.delitem(ROUTE_POLICY, "channels.list_services")
    login(client, "operator")
    assert client.get("/services").status_code == 403


def _allowed(rule, role) -> bool:
    if rule is CHANNEL_SIGNED:
        return False
    if rule is PUBLIC:
        return True
    if role is None:
        return False
    return rule is AUTHENTICATED or has_permission(role, rule)


def _url(rule, ids) -> str:
    return rule.build({arg: ids[arg] for arg in rule.arguments})[1] if rule.arguments else rule.rule


@pytest.fixture
def objects(world):
    app = file_application(world.company_a)
    attachment = app.attachments[0]
    step = db.session.scalar(sa.select(ReviewStep).where(ReviewStep.status == "pending"))
    from app.modules.messaging.models import Message

    message = db.session.scalar(sa.select(Message))
    return {
        "app_id": app.id,
        "org_id": world.org_a.id,
        "import_id": 1,
        "attachment_id": attachment.id,
        "step_id": step.id,
        "user_id": world.company_b.id,
        "channel_id": app.rows[0].channel_id,
        "message_id": message.id,
        "code": "qr_login",
        "filename": "style.css",
        "key_id": "tk_000000000000000000000000",
        "action": "suspend",
        "report_id": 1,
        "institution_id": 1,
        "kind": "cnas",
        "check_id": 1,
        "platform": "ios",
        "version_id": 1,
        "agreement_id": 1,
        "template_id": 1,
        "delivery_id": 1,
        "work_order_id": 1,
        "notice_id": 1,
        "maintenance_id": 1,
        "promotion_id": 1,
        "plan_id": 1,
        "incident_id": 1,
        "evidence_id": 1,
        "rectification_id": 1,
        "exit_id": 1,
    }


def test_role_by_endpoint_matrix(app, world, client, objects):
    """Every role against every endpoint: allowed → never 401/403; denied → 401/302 when anonymous, else 403."""
    mismatches = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in ("accounts.logout", "accounts.set_locale")]
    for role in ROLES:
        headers = bearer(getattr(world, USERNAMES[role])) if role else {}
        client.post("/logout")
        if role:
            login(client, USERNAMES[role])
        for rule in rules:
            method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            api = rule.rule.startswith("/api/")
            response = client.open(_url(rule, objects), method=method, headers=headers if api else {})
            status = response.status_code
            response.close()
            allowed = _allowed(ROUTE_POLICY[rule.endpoint], role)
            signed = ROUTE_POLICY[rule.endpoint] is CHANNEL_SIGNED
            denied_codes = {401} if (api and role is None) or signed else ({302} if role is None else {403})
            ok = (status not in (401, 403) and status < 500) if allowed else status in denied_codes
            if not ok:
                mismatches.append((role and role.value, method, rule.rule, status, allowed))
    assert mismatches == []


@pytest.mark.parametrize(
    ("username", "path", "expected"),
    [
        ("company_a", "/reviews", 403),
        ("jinan", "/applications/new", 403),
        ("national", "/admin/users", 403),
        ("admin", "/applications", 403),
        ("operator", "/admin/users", 403),
        ("company_a", "/audit", 403),
    ],
)
def test_key_separations_of_duty(world, client, username, path, expected):
    login(client, username)
    assert client.get(path).status_code == expected


def test_c1_4_other_tenant_and_other_city_get_404(world, client, objects):
    app_id, channel_id = objects["app_id"], objects["channel_id"]
    for user in (world.company_b, world.qingdao, world.guangdong):
        headers = bearer(user)
        assert client.get(f"/api/v1/applications/{app_id}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/channels/{channel_id}", headers=headers).status_code == 404
        download = client.get(f"/api/v1/applications/{app_id}/attachments/{objects['attachment_id']}", headers=headers)
        assert download.status_code == 404
    for username in ("company_b", "qingdao", "guangdong"):
        client.post("/logout")
        login(client, username)
        assert client.get(f"/applications/{app_id}").status_code == 404
        assert client.get(f"/channels/{channel_id}").status_code == 404
    for user in (world.jinan, world.shandong, world.national, world.operator, world.company_a):
        assert client.get(f"/api/v1/applications/{app_id}", headers=bearer(user)).status_code == 200


def test_c1_4_lists_hold_no_foreign_ids(world, client, objects):
    other = file_application(
        world.company_b,
        rows=[
            {"name": "广州便民APP", "form": "app", "access_mode": "h5", "regions": ["440100"], "services": ["standard"]}
        ],
    )
    for user, foreign in (
        (world.company_b, objects["app_id"]),
        (world.qingdao, objects["app_id"]),
        (world.guangdong, objects["app_id"]),
        (world.company_a, other.id),
        (world.jinan, other.id),
    ):
        headers = bearer(user)
        apps = client.get("/api/v1/applications", headers=headers).json["items"]
        assert foreign not in [a["id"] for a in apps]
        channels = client.get("/api/v1/channels", headers=headers).json["items"]
        foreign_channel = objects["channel_id"] if foreign == objects["app_id"] else other.rows[0].channel_id
        assert foreign_channel not in [c["id"] for c in channels]
        queue = client.get("/api/v1/reviews/queue", headers=headers)
        if queue.status_code == 200:
            assert all(item["application_id"] != foreign for item in queue.json["items"])
        body = json.dumps(apps)
        assert f'"applicant_id": {world.org_a.id if foreign == objects["app_id"] else world.org_b.id}' not in body


def test_c1_4_reviewer_queue_is_scoped(world):
    from app.modules.reviews.scope import review_queue

    file_application(world.company_a)
    assert len(db.session.scalars(review_queue(world.jinan)).all()) == 1
    assert db.session.scalars(review_queue(world.qingdao)).all() == []
    assert db.session.scalars(review_queue(world.shandong)).all() == []


def test_drafts_are_private_to_the_company(world, client):
    draft = ops.create_draft(world.company_a, __import__("tests.conftest", fromlist=["x"]).application_data())
    ops.add_attachment(world.company_a, draft, "test_info_sheet", io.BytesIO(PDF), "a.pdf")
    assert client.get(f"/api/v1/applications/{draft.id}", headers=bearer(world.national)).status_code == 404
    assert client.get(f"/api/v1/applications/{draft.id}", headers=bearer(world.company_a)).status_code == 200
