"""More than one instance (issue 17, C2.1): two app processes sharing the database and Redis, each keeping its own
decisions for GATEWAY_CACHE_SECONDS. A nonce used on one is refused on the other; a key revoked, a key suspended or a
service suspended through one is refused by the other within the bound."""

import time
from datetime import timedelta

import pytest
import requests

from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.gateway.signing import sign_request
from app.modules.incidents import operations as incidents
from tests.conftest import PASSWORD, bearer, next_code, release_clock, serve_instance
from tests.journeys import live_channel

pytestmark = pytest.mark.commits  # other processes read what the test commits

BOUND = 1.0  # GATEWAY_CACHE_SECONDS of both instances
SERVICE = "/api/v1/channel/services/qr_login"


@pytest.fixture
def instances(app, tmp_path, request):
    """Two instances; with Redis (nonces there) unless the test asks for the embedded defaults."""
    config = {"GATEWAY_CACHE_SECONDS": BOUND}
    if request.param == "redis":
        config["REDIS_URL"] = request.getfixturevalue("redis_url")
    started = [serve_instance(app, tmp_path, **config) for _ in range(2)]
    yield [base for _process, base in started]
    for process, _base in started:
        process.terminate()
        process.wait(10)


def signed_get(base: str, issued, path: str = SERVICE, headers: dict | None = None):
    headers = headers or sign_request(issued.key.key_id, issued.secret, "GET", path)
    return requests.get(base + path, headers=headers, timeout=10)


def refused_within(base: str, issued, code: str, path: str = SERVICE) -> float:
    """Seconds until the other instance refuses with `code` (a fresh request every 50 ms); fails after 3 bounds."""
    started = time.monotonic()
    while time.monotonic() - started < 3 * BOUND:
        response = signed_get(base, issued, path)
        if response.status_code != 200:
            assert response.json()["error"]["code"] == code, response.json()
            return time.monotonic() - started
        time.sleep(0.05)
    pytest.fail(f"still served {3 * BOUND} s after the change")


@pytest.mark.parametrize("instances", ["redis", "database"], indirect=True)
def test_c2_1_a_nonce_used_on_one_instance_is_refused_on_the_other(world, instances):
    _channel, issued = live_channel(world)
    db.session.commit()
    one, other = instances
    headers = sign_request(issued.key.key_id, issued.secret, "GET", SERVICE)
    assert signed_get(one, issued, headers=headers).status_code == 200
    replay = signed_get(other, issued, headers=headers)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "replayed_nonce"


@pytest.mark.parametrize("instances", ["redis"], indirect=True)
def test_c2_1_a_key_revoked_through_one_instance_is_refused_by_the_other_within_the_bound(world, instances):
    _channel, issued = live_channel(world)
    auth = bearer(world.operator)
    db.session.commit()
    one, other = instances
    assert signed_get(other, issued).status_code == 200  # the other instance now holds the key's decision
    try:
        body = {"password": PASSWORD, "otp": next_code(world.operator), "reason": "密钥泄露"}
    finally:
        release_clock()
    revoked = requests.post(f"{one}/api/v1/keys/{issued.key.key_id}/revoke", json=body, headers=auth, timeout=30)
    assert revoked.status_code == 200, revoked.text
    assert signed_get(one, issued).json()["error"]["code"] == "key_revoked"
    assert refused_within(other, issued, "key_revoked") <= BOUND + 0.5


@pytest.mark.parametrize("instances", ["redis"], indirect=True)
def test_c2_1_c5_5_suspensions_reach_the_other_instance_within_the_bound(world, instances):
    """A key suspended through one instance's API, then (resumed) a service suspended for an incident (C5.5)."""
    channel, issued = live_channel(world)
    auth = bearer(world.operator)
    db.session.commit()
    one, other = instances
    assert signed_get(other, issued).status_code == 200
    suspend = requests.post(
        f"{one}/api/v1/keys/{issued.key.key_id}/suspend", json={"reason": "核查"}, headers=auth, timeout=30
    )
    assert suspend.status_code == 200, suspend.text
    assert refused_within(other, issued, "key_suspended") <= BOUND + 0.5
    resume = requests.post(f"{one}/api/v1/keys/{issued.key.key_id}/resume", headers=auth, timeout=30)
    assert resume.status_code == 200, resume.text
    time.sleep(BOUND + 0.1)
    assert signed_get(other, issued).status_code == 200
    data = {
        "incident_type": "page_tampering",
        "discovered_at": utcnow() - timedelta(hours=1),
        "description": "首页被篡改",
    }
    incident = incidents.report_incident(world.company_a, channel.id, data)
    incidents.confirm(world.operator, incident.id, services=["qr_login"])  # level 1: the services picked
    db.session.commit()
    assert refused_within(other, issued, "service_not_granted") <= BOUND + 0.5
