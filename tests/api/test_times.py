"""ISO 8601 in the API (issue 13 item 11): every timestamp in every response carries its offset (+08:00, China time);
a timestamp sent without one is refused with 422 naming the field; a 405 names the allowed methods in `Allow`."""

import re

from app.core.permissions import has_permission
from app.extensions import db
from app.modules.key_issuance import operations as keys
from app.web.policy import ROUTE_POLICY
from tests.conftest import bearer, file_application
from tests.journeys import live_channel

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
ZONED = re.compile(TIMESTAMP.pattern + r"(Z|[+-]\d{2}:\d{2})$")
HTTP_DATE = re.compile(r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$")  # Flask's default for a raw datetime


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_every_timestamp_in_every_get_response_has_an_offset(app, world, client):
    channel, issued = live_channel(world)
    keys.suspend_key(world.operator, issued.key, "核查")
    application = file_application(world.company_a)
    ids = {"channel_id": channel.id, "app_id": application.id, "user_id": world.jinan.id, "key_id": issued.key.key_id}
    db.session.commit()
    checked, bare = 0, []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "GET" not in rule.methods or set(rule.arguments) - set(ids):
            continue
        url = rule.build({a: ids[a] for a in rule.arguments})[1]
        for user in (world.operator, world.company_a, world.admin, world.national):
            if not has_permission(user.role, ROUTE_POLICY[rule.endpoint]):
                continue
            response = client.get(url, headers=bearer(user))
            if response.status_code != 200 or not response.is_json:
                continue
            for text in _strings(response.json):
                if HTTP_DATE.match(text):
                    bare.append((url, user.username, text))
                if TIMESTAMP.match(text):
                    checked += 1
                    if not ZONED.match(text):
                        bare.append((url, user.username, text))
    assert checked > 20 and bare == [], bare[:10]


def test_a_timestamp_without_an_offset_is_refused_naming_the_field(world, client):
    channel, _issued = live_channel(world)
    body = {"channel_id": channel.id, "kind": "maintenance", "starts_at": "2030-01-01T08:00:00", "description": "维护"}
    response = client.post("/api/v1/channel-notices", headers=bearer(world.company_a), json=body)
    assert response.status_code == 422 and "starts_at" in response.json["error"]["fields"], response.json


def test_405_names_the_allowed_methods(world, client):
    api = client.delete("/api/v1/channels", headers=bearer(world.operator))
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
    page = client.put("/login")
    assert page.status_code == 405 and set(page.headers["Allow"].split(", ")) >= {"GET", "POST"}
