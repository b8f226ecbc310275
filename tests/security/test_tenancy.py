"""Every object endpoint, for every user who holds its permission but not the object's organisation or jurisdiction:
404, never the record (C1.4). Lists hold no foreign record. Generated from the URL map, so new endpoints are covered."""

import pytest
import sqlalchemy as sa

from app.core.permissions import has_permission
from app.extensions import db
from app.modules.messaging.models import Message
from app.modules.reviews.models import ReviewStep
from app.web.policy import ROUTE_POLICY
from tests.conftest import bearer, file_application, login
from tests.journeys import filed_production

OBJECT_ARGS = {"app_id", "channel_id", "step_id", "message_id", "attachment_id", "agreement_id"}


@pytest.fixture(params=["test", "production"])
def foreign(world, request):
    """Company A's application in Jinan — a test intake, or a production intake of a channel in testing: foreign to
    company B, Qingdao, Guangzhou and Guangdong."""
    test_app = file_application(world.company_a)
    app = filed_production(world) if request.param == "production" else test_app
    step = db.session.scalar(
        sa.select(ReviewStep).where(ReviewStep.application_id == app.id, ReviewStep.status == "pending")
    )
    message = db.session.scalar(sa.select(Message).where(Message.organisation_id == world.org_a.id))
    return {
        "app_id": app.id,
        "channel_id": app.rows[0].channel_id,
        "step_id": step.id,
        "message_id": message.id,
        "attachment_id": test_app.attachments[0].id,
        "report_id": 1,
        "platform": "ios",
        "version_id": 1,
        "agreement_id": 1,
        "kind": "form1",
    }


def _object_rules(app):
    return [r for r in app.url_map.iter_rules() if set(r.arguments) & OBJECT_ARGS]


def _outsiders(world):
    return [world.company_b, world.qingdao, world.guangzhou, world.guangdong]


def test_c1_4_every_object_api_is_404_outside_the_tenant_or_jurisdiction(app, world, client, foreign):
    leaks = []
    for rule in [r for r in _object_rules(app) if r.rule.startswith("/api/")]:
        url = rule.build({a: foreign[a] for a in rule.arguments})[1]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        for user in _outsiders(world):
            if not has_permission(user.role, ROUTE_POLICY[rule.endpoint]):
                continue
            response = client.open(url, method=method, headers=bearer(user), json={})
            if response.status_code != 404:
                leaks.append((user.username, method, url, response.status_code))
            response.close()
    assert leaks == []


def test_c1_4_every_object_page_is_404_outside_the_tenant_or_jurisdiction(app, world, client, foreign):
    leaks = []
    for user in _outsiders(world):
        client.post("/logout")
        login(client, user.username)
        for rule in [r for r in _object_rules(app) if not r.rule.startswith("/api/")]:
            if not has_permission(user.role, ROUTE_POLICY[rule.endpoint]):
                continue
            url = rule.build({a: foreign[a] for a in rule.arguments})[1]
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method)
            if response.status_code != 404:
                leaks.append((user.username, method, url, response.status_code))
            response.close()
    assert leaks == []


def test_c1_4_no_list_holds_a_foreign_record(app, world, client, foreign):
    lists = {
        "/api/v1/applications": "app_id",
        "/api/v1/channels": "channel_id",
        "/api/v1/messages": "message_id",
        "/api/v1/reviews/queue": "step_id",
    }
    for user in _outsiders(world):
        for path, key in lists.items():
            response = client.get(path, headers=bearer(user))
            if response.status_code == 200:
                assert foreign[key] not in [item["id"] for item in response.json["items"]], (user.username, path)
