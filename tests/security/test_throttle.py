"""Throttling (S11, ASVS 2.2) with Flask-Limiter: per source address and per account on sign-in, code verification,
token, re-authentication and the public verification upload; 429 with Retry-After; the owner signing in from a known
address is not throttled by somebody else's failures; Redis as the shared store of two app instances."""

import signal
import time

import pytest
import requests
from flask import request

from app import create_app
from app.extensions import db, limiter
from app.modules.gateway.signing import sign_request
from app.web.policy import PUBLIC, ROUTE_POLICY
from tests.conftest import PASSWORD, login, serve_instance
from tests.journeys import live_channel
from tests.servers import start_redis, stop

pytestmark = pytest.mark.commits  # real commits from several connections or processes


@pytest.fixture
def limits(app):
    saved = {
        k: app.config[k] for k in ("SIGN_IN_RATE_PER_ADDRESS", "SIGN_IN_FAILURES_PER_ACCOUNT", "VERIFY_UPLOAD_RATE")
    }
    app.config.update(
        SIGN_IN_RATE_PER_ADDRESS="8 per minute",
        SIGN_IN_FAILURES_PER_ACCOUNT="4 per minute",
        VERIFY_UPLOAD_RATE="3 per minute",
    )
    limiter.reset()
    yield app.config
    app.config.update(saved)
    limiter.reset()


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_s11_sign_in_is_throttled_per_address_with_retry_after(world, client, limits):
    statuses = [
        client.post("/login", data={"username": f"nobody{i}", "password": "x" * 12}, **_from("203.0.113.1")).status_code
        for i in range(9)
    ]
    assert statuses[:8] == [200] * 8 and statuses[8] == 429
    refused = client.post("/login", data={"username": "company_a", "password": PASSWORD}, **_from("203.0.113.1"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "尝试过于频繁，请在" in refused.text
    # another address is not affected
    assert (
        client.post("/login", data={"username": "company_a", "password": PASSWORD}, **_from("198.51.100.2")).status_code
        == 302
    )


def test_s11_api_token_is_throttled_per_account_across_addresses(world, client, limits):
    for i in range(4):
        response = client.post(
            "/api/v1/auth/token",
            json={"username": "company_a", "password": "wrong-password"},
            **_from(f"203.0.113.{i}"),
        )
        assert response.status_code == 401
    refused = client.post(
        "/api/v1/auth/token", json={"username": "company_a", "password": PASSWORD}, **_from("203.0.113.99")
    )
    assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0


def test_s11_the_owner_at_a_known_address_is_not_throttled_by_failures_elsewhere(world, client, limits):
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "company_a", "password": PASSWORD}, **_from("198.51.100.7")
        ).status_code
        == 201
    )
    for i in range(6):
        client.post(
            "/api/v1/auth/token",
            json={"username": "company_a", "password": "wrong-password"},
            **_from(f"203.0.113.{i}"),
        )
    owner = client.post(
        "/api/v1/auth/token", json={"username": "company_a", "password": PASSWORD}, **_from("198.51.100.7")
    )
    assert owner.status_code == 201


def test_s11_code_verification_is_throttled_per_account(world, client, limits):
    client.post("/login", data={"username": "jinan", "password": PASSWORD})
    statuses = [client.post("/login/verify", data={"code": "000000"}).status_code for _ in range(5)]
    assert statuses[-1] == 429, statuses


def test_s11_reauthentication_is_throttled(world, client, limits):
    login(client, "operator")
    statuses = [
        client.post("/account/reauth", data={"password": "wrong-password", "code": "000000"}).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429, statuses


def test_s9_public_verification_upload_is_throttled_per_address(world, client, limits):
    statuses = [client.post("/api/v1/verify/NOSUCHCODE0/check", data={}).status_code for _ in range(4)]
    assert statuses[:3] != [429] * 3 and statuses[3] == 429, statuses


def test_s11_two_instances_share_the_throttle_through_redis(app, world, redis_url, tmp_path):
    """Two app processes (as two gunicorn workers or hosts) count against the same limit kept in Redis."""
    db.session.commit()
    config = {"RATELIMIT_STORAGE_URI": redis_url, "SIGN_IN_RATE_PER_ADDRESS": "4 per minute"}
    servers = [serve_instance(app, tmp_path, **config), serve_instance(app, tmp_path, **config)]
    try:
        statuses = [
            requests.post(
                f"{servers[i % 2][1]}/login", data={"username": "nobody", "password": "x" * 12}, timeout=30
            ).status_code
            for i in range(5)
        ]
    finally:
        for process, _base in servers:
            process.terminate()
            process.wait(10)
    assert statuses == [200, 200, 200, 200, 429], statuses


def test_behind_a_trusted_proxy_the_client_address_is_counted(app, tmp_path):
    """With TRUSTED_PROXIES=1 the address in X-Forwarded-For is the one lockout and throttling count."""
    proxied = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        KEYS_DIR=str(tmp_path),
        UPLOAD_FOLDER=str(tmp_path / "u"),
        TRUSTED_PROXIES=1,
    )
    seen = {}
    proxied.add_url_rule("/_address", "_address", lambda: seen.setdefault("ip", request.remote_addr) and "ok")
    ROUTE_POLICY["_address"] = PUBLIC
    try:
        proxied.test_client().get(
            "/_address", headers={"X-Forwarded-For": "203.0.113.5"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
        )
    finally:
        del ROUTE_POLICY["_address"]
    assert seen["ip"] == "203.0.113.5"


@pytest.fixture
def hung_redis(tmp_path):
    """A real redis-server this test can make stop answering (SIGSTOP: connections open, no reply ever comes)."""
    process, url = start_redis(tmp_path / "redis")
    yield process, url
    process.send_signal(signal.SIGCONT)
    stop(process)


def test_s11_a_redis_that_hangs_never_hangs_sign_in_and_the_gateway_fails_closed(app, world, tmp_path, hung_redis):
    """Issue 26 item 5: every Redis client has connect and read timeouts (REDIS_*_TIMEOUT, 0.5 s): sign-in goes on
    with the throttle counting in memory, the gateway refuses (503, nonces fail closed), both within a bound."""
    process, url = hung_redis
    _channel, issued = live_channel(world)
    key_id, secret = issued.key.key_id, issued.secret
    db.session.commit()
    instance, base = serve_instance(app, tmp_path, REDIS_URL=url, RATELIMIT_STORAGE_URI=url)
    path = "/api/v1/channel/status"

    def sign_in():
        started = time.monotonic()
        form = {"username": "company_a", "password": PASSWORD}
        answer = requests.post(f"{base}/login", data=form, timeout=30, allow_redirects=False)
        return answer.status_code, time.monotonic() - started

    def gateway():
        started = time.monotonic()
        answer = requests.get(base + path, headers=sign_request(key_id, secret, "GET", path), timeout=30)
        return answer, time.monotonic() - started

    try:
        assert sign_in()[0] == 302 and gateway()[0].status_code == 200  # Redis answering
        process.send_signal(signal.SIGSTOP)
        for _ in range(3):
            status, seconds = sign_in()
            assert status == 302 and seconds < 2, (status, seconds)
        refused, seconds = gateway()
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "nonce_store_unavailable"
        assert seconds < 2, seconds
        process.send_signal(signal.SIGCONT)
        assert gateway()[0].status_code == 200  # back as soon as Redis answers
    finally:
        instance.terminate()
        instance.wait(10)
