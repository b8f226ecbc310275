"""What operators watch (issue 26 item 6): /healthz and /readyz with their checks, the request id from the caller or
generated and carried into the response, errors and audit entries, the Prometheus metrics behind their token, and
JSON log lines — one per request — that never hold a secret."""

import json
import re

import pytest
import requests
import sqlalchemy as sa

from app.core import totp
from app.core.audit import AuditEntry, verify_chain
from app.core.crypto import MasterKeyCurrent
from app.core.storage import S3Storage
from app.extensions import db, limiter
from app.modules.gateway.signing import sign_request
from tests.conftest import PASSWORD, bearer, free_port, next_code, release_clock, serve_instance
from tests.journeys import live_channel
from tests.key_issuance.test_issue import approved_application


def test_healthz_says_the_process_answers_and_readyz_names_each_check(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"
    checks = ready.json["checks"]
    assert set(checks) == {"database", "migrations", "redis", "storage", "keys"}
    assert all(check["ok"] for check in checks.values()) and checks["redis"]["skipped"] == "not configured"
    assert all("ms" in check for name, check in checks.items() if name != "redis")


def test_readyz_is_unready_when_the_schema_is_behind_the_migrations(client):
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'b5c3ddcddae8'"))  # rolled back after
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["status"] == "unready"
    assert (
        not ready.json["checks"]["migrations"]["ok"]
        and "flask db upgrade" in ready.json["checks"]["migrations"]["error"]
    )
    assert ready.json["checks"]["database"]["ok"]


def test_readyz_is_unready_without_the_current_master_key_on_this_host(client):
    db.session.add(MasterKeyCurrent(id=1, key_id="0123456789abcdef"))
    db.session.commit()  # a savepoint of the test's transaction
    keys = client.get("/readyz").json["checks"]["keys"]
    assert not keys["ok"] and "0123456789abcdef" in keys["error"] and "stage" in keys["error"]


def test_readyz_is_unready_when_storage_or_redis_do_not_answer(app, client, monkeypatch, object_store_server):
    closed = object_store_server.config | {"STORAGE_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    monkeypatch.setitem(app.extensions, "essc_storage", S3Storage(dict(app.config) | closed))
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.delitem(app.extensions, "essc_redis", raising=False)
    ready = client.get("/readyz")
    checks = ready.json["checks"]
    assert ready.status_code == 503 and not checks["storage"]["ok"] and not checks["redis"]["ok"]
    assert checks["storage"]["error"] == "StorageUnavailable" and checks["redis"]["error"] == "ConnectionError"
    app.extensions.pop("essc_redis", None)


def test_a_request_id_is_taken_from_the_caller_or_made_and_carried_into_errors_and_audit(client, world):
    given, auth = "nginx-3f2a9c1d0e7b4a55", bearer(world.company_a)
    answer = client.get("/api/v1/applications/999999", headers=auth | {"X-Request-Id": given})
    assert answer.headers["X-Request-Id"] == given and answer.json["error"]["request_id"] == given
    made = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"}).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    page = client.get("/no-such-page", headers={"X-Request-Id": given})
    assert page.status_code == 404 and given in page.text  # the error page gives it for support
    refused = client.get("/api/v1/users", headers=auth | {"X-Request-Id": given})
    assert refused.status_code == 403  # a refusal is audited (access.denied) ...
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.request_id == given))
    assert entry is not None and entry.action == "access.denied"  # ... with the request's id, chained with it
    assert verify_chain().first_bad is None


def test_metrics_need_their_token_and_count_requests_gateway_decisions_and_the_queue(app, client, world, monkeypatch):
    assert client.get("/metrics").status_code == 404  # no token configured: no such page
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "a-long-random-metrics-token")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    _channel, issued = live_channel(world)
    path = "/api/v1/channel/status"
    assert client.get(path, headers=sign_request(issued.key.key_id, issued.secret, "GET", path)).status_code == 200
    assert client.get(path, headers=sign_request(issued.key.key_id, "0" * 64, "GET", path)).status_code == 401
    client.post("/login", data={"username": "nobody", "password": "not-the-password"})
    text = client.get("/metrics", headers={"Authorization": "Bearer a-long-random-metrics-token"}).text
    assert _value(text, 'essc_gateway_decisions_total{outcome="served"}') >= 1
    assert _value(text, 'essc_gateway_decisions_total{outcome="bad_signature"}') >= 1
    assert _value(text, 'essc_sign_in_attempts_total{outcome="unknown_user"}') >= 1
    assert 'essc_http_requests_total{endpoint="api.channel_status",method="GET",status="200"}' in text
    assert "essc_http_request_duration_seconds_bucket" in text and "essc_gateway_decision_cache_age_seconds" in text
    assert _value(text, "essc_delivery_queue_depth") >= 1  # the journey queued messages; none sent yet


# The test instance runs under werkzeug's development server, which prints its own banner and request lines.
DEVELOPMENT_SERVER = ("127.0.0.1 - - [", "\x1b[", " * Running on", "WARNING: This is a development server")


def _value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in the metrics")


@pytest.mark.commits
def test_log_lines_are_json_one_per_request_and_never_hold_a_secret(app, world, tmp_path):
    """Sign-in with password and one-time code, an API token, keys shown once, a signed gateway call, a refusal:
    every line of the instance's log is JSON, every request has one with its id, and none holds what was secret."""
    application = approved_application(world)
    world.operator.totp_last_step = totp.current_step() - 2  # last signed in a minute ago: two codes are due now
    db.session.commit()
    log = tmp_path / "instance.log"
    process, base = serve_instance(app, tmp_path, log=log, LOG_FORMAT="json")
    secrets = [PASSWORD]
    try:
        session = requests.Session()
        session.post(f"{base}/login", data={"username": "jinan", "password": PASSWORD}, timeout=30)
        try:
            code = next_code(world.jinan)
            session.post(
                f"{base}/login/verify", data={"code": code}, timeout=30, headers={"X-Request-Id": "req-login-1"}
            )
            secrets += [session.cookies.get("essc_session")]
        finally:
            release_clock()
        try:
            body = {"username": "operator", "password": PASSWORD, "otp": next_code(world.operator)}
            token = requests.post(f"{base}/api/v1/auth/token", json=body, timeout=30).json()["token"]
        finally:
            release_clock()
        db.session.refresh(world.operator)  # the other process accepted a code: the next one is the next step
        try:
            reauth = {"password": PASSWORD, "otp": next_code(world.operator)}
            issued = requests.post(
                f"{base}/api/v1/applications/{application.id}/complete",
                json=reauth,
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ).json()["items"]
        finally:
            release_clock()
        key_id, secret = issued[0]["key_id"], issued[0]["secret"]
        signed = sign_request(key_id, secret, "POST", "/api/v1/channel/sandbox/echo", b"{}")
        requests.post(f"{base}/api/v1/channel/sandbox/echo", data=b"{}", headers=signed, timeout=30)
        requests.get(f"{base}/api/v1/applications", headers={"Authorization": "Bearer essc_not-a-token"}, timeout=30)
        secrets += [token, secret, signed["X-ESSC-Signature"], code]
    finally:
        process.terminate()
        process.wait(10)
    ours = [line for line in log.read_text().splitlines() if not line.startswith(DEVELOPMENT_SERVER)]
    lines = [json.loads(line) for line in ours]  # every line of ours is JSON
    requests_logged = [line for line in lines if line.get("event") == "request"]
    assert {line["path"] for line in requests_logged} >= {"/login", "/login/verify", "/api/v1/auth/token"}
    assert all(line["request_id"] and line["status"] and "duration_ms" in line for line in requests_logged)
    assert any(line["request_id"] == "req-login-1" and line["path"] == "/login/verify" for line in requests_logged)
    text = log.read_text()
    leaked = [value for value in secrets if value and value in text]
    assert leaked == [], "secrets in the log"


def test_wrong_metrics_tokens_are_throttled_per_address(app, client, monkeypatch):
    """The metrics token is a secret that can be guessed at: wrong tries count against the address (429)."""
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "a-long-random-metrics-token")
    monkeypatch.setitem(app.config, "METRICS_FAILURES_PER_ADDRESS", "2 per minute")
    limiter.reset()
    wrong = {"Authorization": "Bearer guess"}
    assert [client.get("/metrics", headers=wrong).status_code for _ in range(3)] == [404, 404, 429]
    limiter.reset()
    assert client.get("/metrics", headers={"Authorization": "Bearer a-long-random-metrics-token"}).status_code == 200
