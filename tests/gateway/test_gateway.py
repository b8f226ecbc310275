"""The gateway check (C2.1): signed requests with the channel key; replays, stale timestamps, tampered bodies, wrong
keys and keys or channels in the wrong state are refused with specific codes."""

import json
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.modules.gateway import decisions
from app.modules.gateway.signing import sign_request
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.models import ChannelKey
from app.modules.security_tests import operations as security_tests
from tests.conftest import free_port
from tests.journeys import live_channel
from tests.key_issuance.test_issue import approved_application
from tests.web.test_workbench import Statements

ECHO = "/api/v1/channel/sandbox/echo"
STATUS = "/api/v1/channel/status"


@pytest.fixture
def test_key(world):
    return ops.complete_test_intake(world.operator, approved_application(world).id)[0]


def call(client, method, path, key_id, secret, body: bytes = b"", **sign):
    headers = sign_request(key_id, secret, method, path, body, **sign)
    return client.open(path, method=method, data=body, headers=headers | {"Content-Type": "application/json"})


def test_c2_1_test_key_works_on_the_sandbox(client, test_key):
    body = json.dumps({"hello": "社保卡"}).encode()
    response = call(client, "POST", ECHO, test_key.key.key_id, test_key.secret, body)
    assert response.status_code == 200, response.json
    assert response.json["echo"] == {"hello": "社保卡"}
    assert response.json["channel_number"] == test_key.channel.channel_number


def test_c2_1_test_key_is_refused_outside_the_sandbox(client, test_key):
    response = call(client, "GET", STATUS, test_key.key.key_id, test_key.secret)
    assert response.status_code == 403 and response.json["error"]["code"] == "test_key_not_allowed"


def test_c2_1_replayed_request_is_refused(client, test_key):
    headers = sign_request(test_key.key.key_id, test_key.secret, "POST", ECHO, b"{}")
    first = client.post(ECHO, data=b"{}", headers=headers)
    second = client.post(ECHO, data=b"{}", headers=headers)
    assert first.status_code == 200 and second.status_code == 401
    assert second.json["error"]["code"] == "replayed_nonce"


def test_c2_1_stale_timestamp_is_refused(client, test_key):
    response = call(
        client, "POST", ECHO, test_key.key.key_id, test_key.secret, b"{}", timestamp=int(time.time()) - 3600
    )
    assert response.status_code == 401 and response.json["error"]["code"] == "stale_timestamp"


def test_c2_1_tampered_body_is_refused(client, test_key):
    headers = sign_request(test_key.key.key_id, test_key.secret, "POST", ECHO, b'{"amount": 1}')
    response = client.post(ECHO, data=b'{"amount": 9}', headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "bad_signature"


@pytest.mark.parametrize(("key_id", "code"), [("tk_nope", "key_unknown"), ("", "signature_missing")])
def test_c2_1_unknown_key_or_missing_headers(client, test_key, key_id, code):
    response = call(client, "POST", ECHO, key_id, test_key.secret, b"{}")
    assert response.status_code == 401 and response.json["error"]["code"] == code


def test_c2_1_suspended_and_revoked_keys_are_refused(world, client, test_key):
    ops.suspend_key(world.operator, test_key.key, "核查")
    suspended = call(client, "POST", ECHO, test_key.key.key_id, test_key.secret, b"{}")
    assert suspended.status_code == 403 and suspended.json["error"]["code"] == "key_suspended"
    ops.revoke_key(world.operator, test_key.key, "泄露")
    revoked = call(client, "POST", ECHO, test_key.key.key_id, test_key.secret, b"{}")
    assert revoked.json["error"]["code"] == "key_revoked"


def test_c2_1_rotated_key_expires_after_the_overlap(world, client, test_key, app):
    from datetime import UTC, timedelta

    from app.core import timeutil

    ops.rotate_key(world.operator, test_key.key)
    timeutil.freeze(timeutil.utcnow() + timedelta(days=app.config["KEY_ROTATION_OVERLAP_DAYS"], minutes=1))
    moment = int(timeutil.utcnow().replace(tzinfo=UTC).timestamp())
    response = call(client, "POST", ECHO, test_key.key.key_id, test_key.secret, b"{}", timestamp=moment)
    assert response.status_code == 403 and response.json["error"]["code"] == "key_expired"


def test_c2_1_production_key_only_for_a_live_channel(world, client):
    """The channel goes live through the real journey (report, recordings, reviews, verification, agreement); its
    production key then works, the test key does not reach production endpoints, and once the channel is suspended
    (a failed re-test, C5.3) the production key is refused."""
    channel, production_key = live_channel(world)
    test_key = db.session.scalar(
        sa.select(ChannelKey).where(ChannelKey.channel_id == channel.id, ChannelKey.environment == "test")
    )
    live = call(client, "GET", STATUS, production_key.key.key_id, production_key.secret)
    assert live.status_code == 200 and live.json["status"] == "live" and "standard" in live.json["services"]
    sandbox = call(client, "POST", ECHO, production_key.key.key_id, production_key.secret, b"{}")
    assert sandbox.json["error"]["code"] == "production_key_not_allowed"
    with_test_key = call(client, "GET", STATUS, test_key.key_id, ops.key_secret(test_key).decode())
    assert with_test_key.status_code == 403 and with_test_key.json["error"]["code"] == "test_key_not_allowed"
    check = security_tests.order_spot_check(world.operator, channel, "整改后复测", is_retest=True)
    security_tests.record_spot_check(world.operator, check, "fail", "仍有高危漏洞")
    suspended = call(client, "GET", STATUS, production_key.key.key_id, production_key.secret)
    assert suspended.status_code == 403 and suspended.json["error"]["code"] == "channel_not_live"


def test_c2_1_the_secret_never_appears_in_the_database_in_clear(test_key):
    import sqlalchemy as sa

    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        assert test_key.secret not in repr(rows), table.name


def test_c2_1_the_client_function_in_the_readme_signs_valid_requests(client, test_key):
    """The README's copy-and-paste client must keep working: run it as written."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in readme.split("```python")[1:] if "def sign_request" in b).split("```")[0]
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102  (our own documentation)
    body = b'{"from": "readme"}'
    headers = namespace["sign_request"](test_key.key.key_id, test_key.secret, "POST", ECHO, body)
    response = client.post(ECHO, data=body, headers=headers | {"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json["echo"] == {"from": "readme"}


def test_c2_1_a_service_not_granted_or_suspended_is_refused(world, client):
    from app.modules.channels import operations as channels

    _channel, production_key = live_channel(world)
    path = "/api/v1/channel/services/qr_login"
    granted = call(client, "GET", path, production_key.key.key_id, production_key.secret)
    assert granted.status_code == 200 and granted.json["available"] is True
    other = "/api/v1/channel/services/local_services"
    refused = call(client, "GET", other, production_key.key.key_id, production_key.secret)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "service_not_granted"
    channels.update_service("qr_login", {"active": False})
    suspended = call(client, "GET", path, production_key.key.key_id, production_key.secret)
    assert suspended.status_code == 403 and suspended.json["error"]["code"] == "service_not_granted"


def test_c2_1_with_the_production_key_a_replayed_tampered_or_revoked_request_is_refused(world, client):
    _channel, production_key = live_channel(world)
    key_id, secret = production_key.key.key_id, production_key.secret
    headers = sign_request(key_id, secret, "GET", STATUS, b"")
    assert client.get(STATUS, headers=headers).status_code == 200
    replay = client.get(STATUS, headers=headers)
    assert replay.status_code == 401 and replay.json["error"]["code"] == "replayed_nonce"
    path = "/api/v1/channel/statistics"
    signed = sign_request(key_id, secret, "POST", path, b'{"month": "2026-01", "items": []}')
    tampered = client.post(path, data=b'{"month": "2026-02", "items": []}', headers=signed)
    assert tampered.status_code == 401 and tampered.json["error"]["code"] == "bad_signature"
    ops.revoke_key(world.operator, production_key.key, "密钥疑似泄露")
    revoked = call(client, "GET", STATUS, key_id, secret)
    assert revoked.status_code == 403 and revoked.json["error"]["code"] == "key_revoked"


@pytest.fixture
def cached_gateway(app, redis_url):
    """The production settings of the gateway: decisions kept a minute, nonces in Redis, last use written later."""
    saved = {name: app.config[name] for name in ("GATEWAY_CACHE_SECONDS", "GATEWAY_LAST_USE_SECONDS", "REDIS_URL")}
    for name in ("essc_gateway", "essc_redis"):
        app.extensions.pop(name, None)
    app.config.update(GATEWAY_CACHE_SECONDS=60, GATEWAY_LAST_USE_SECONDS=3600, REDIS_URL=redis_url)
    yield app
    app.config.update(saved)
    for name in ("essc_gateway", "essc_redis"):
        app.extensions.pop(name, None)


def test_c2_1_a_known_key_is_checked_without_a_statement_or_a_decryption(world, client, cached_gateway, monkeypatch):
    """Issue 17: with its decision kept and nonces in Redis, a request reaches no database and unseals nothing; its
    last use is gathered and written in one statement later."""
    _channel, production_key = live_channel(world)
    unsealed = []
    monkeypatch.setattr(decisions, "key_secret", lambda *a: unsealed.append(a) or production_key.secret.encode())
    path = "/api/v1/channel/services/qr_login"
    assert call(client, "GET", path, production_key.key.key_id, production_key.secret).status_code == 200
    with Statements(db.engine) as statements:
        for _ in range(5):
            assert call(client, "GET", path, production_key.key.key_id, production_key.secret).status_code == 200
    assert statements.count == 0 and len(unsealed) == 1
    replay = sign_request(production_key.key.key_id, production_key.secret, "GET", path)
    assert client.get(path, headers=replay).status_code == 200
    assert client.get(path, headers=replay).json["error"]["code"] == "replayed_nonce"  # through Redis
    assert production_key.key.last_used_at is None
    sent = []

    def seen(_conn, _cursor, statement, *_rest):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        decisions.decision_cache().write_last_use()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    db.session.refresh(production_key.key)
    assert [s.split()[0] for s in sent if "channel_key" in s] == ["UPDATE"] and production_key.key.last_used_at


def test_c2_1_without_its_redis_the_gateway_answers_503_and_counts_no_refusal(world, client, cached_gateway):
    """A configured Redis that does not answer: the request is neither served nor held against the channel."""
    _channel, production_key = live_channel(world)
    cached_gateway.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    cached_gateway.extensions.pop("essc_redis", None)
    response = call(
        client, "GET", "/api/v1/channel/services/qr_login", production_key.key.key_id, production_key.secret
    )
    assert response.status_code == 503 and response.json["error"]["code"] == "nonce_store_unavailable"
    assert "Retry" in response.json["error"]["message"] or "稍后" in response.json["error"]["message"]


def test_c2_1_an_idle_key_is_dropped_and_read_again_when_it_returns(world, client, cached_gateway, monkeypatch):
    _channel, production_key = live_channel(world)
    path = "/api/v1/channel/services/qr_login"
    assert call(client, "GET", path, production_key.key.key_id, production_key.secret).status_code == 200
    cache, unsealed, unseal = decisions.decision_cache(), [], decisions.key_secret
    monkeypatch.setattr(decisions, "key_secret", lambda *a: unsealed.append(a) or unseal(*a))
    monkeypatch.setattr(decisions, "IDLE_SECONDS", -1)
    cache.read_at = 0  # the next request reads again, dropping what was idle (the secret with it)
    assert call(client, "GET", path, production_key.key.key_id, production_key.secret).status_code == 200
    assert list(cache.decisions) == [production_key.key.key_id] and len(unsealed) == 1
