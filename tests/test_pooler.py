"""Through pgbouncer in transaction mode (issue 26 item 2): the service works behind the standard connection pooler
with prepared statements off (DB_PREPARE_THRESHOLD=none) — the every-minute delivery job, two instances under
parallel signed gateway calls and staff requests, the CSV export on a server-side cursor — and the engine options
are settings. A real pgbouncer (Debian's package) is started in front of the test PostgreSQL for each test."""

import pytest
import requests
import sqlalchemy as sa

from app import create_app
from app.core.database import engine_settings
from app.extensions import db
from app.modules.gateway.signing import sign_request
from app.modules.messaging import delivery
from app.modules.messaging.models import Delivery
from app.modules.messaging.operations import send
from tests.conftest import bearer, in_parallel, serve_instance
from tests.journeys import live_channel
from tests.servers import start_pgbouncer


def _on_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture
def pooled_url(app, request):
    """pgbouncer in transaction mode with few server connections (one unless the test says), so that clients share
    them transaction by transaction, as they do at national volume."""
    if not _on_postgres(app):
        pytest.skip("pgbouncer pools PostgreSQL connections: this runs in the PostgreSQL leg (TEST_DATABASE_URL)")
    marker = request.node.get_closest_marker("server_connections")
    pooler = start_pgbouncer(app.config["SQLALCHEMY_DATABASE_URI"], pool=marker.args[0] if marker else 1)
    yield pooler.url
    pooler.stop()


@pytest.fixture
def pooled_app(app, pooled_url):
    """`pooled_app(threshold)`: another app on the pooled URL (as another host's process); disposed afterwards."""
    made = []

    def make(threshold: str):
        made.append(
            create_app(
                "testing",
                SQLALCHEMY_DATABASE_URI=pooled_url,
                DB_PREPARE_THRESHOLD=threshold,
                KEYS_DIR=app.config["KEYS_DIR"],
                UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
                OUTBOX_FOLDER=app.config["OUTBOX_FOLDER"],
            )
        )
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _queue(world, messages: int) -> None:
    for n in range(messages):
        send(
            "agreement.announced",
            {"title": "协议", "version": f"2027.{n}", "effective_from": "2027-01-01"},
            organisation_id=world.org_a.id,
        )
    db.session.commit()


def _deliver_from_two_workers(pooled) -> list:
    """Two workers deliver at once (two instances' schedulers, or the worker and an operator's retry)."""

    def work(_i):
        with pooled.app_context():
            try:
                return delivery.deliver_pending(limit=400)
            except Exception as exc:  # the outcome is what the test reads
                return exc
            finally:
                db.session.remove()

    return in_parallel(2, work)


@pytest.mark.commits
def test_the_delivery_job_runs_through_pgbouncer_with_prepared_statements_off(app, world, pooled_app):
    _queue(world, 135)  # 270 copies: an e-mail and an SMS each
    outcomes = _deliver_from_two_workers(pooled_app("none"))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o["sent"] for o in outcomes) == 270
    sent = sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status == "sent")
    assert db.session.scalar(sent) == 270


@pytest.mark.commits
def test_psycopg_default_prepared_statements_break_under_transaction_pooling(app, world, pooled_app):
    """The control: what the setting prevents (psycopg prepares a statement after five uses)."""
    _queue(world, 135)
    outcomes = _deliver_from_two_workers(pooled_app(""))
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert failures and any("prepared statement" in str(f) for f in failures), outcomes


def test_engine_options_are_settings_and_the_url_option_is_understood():
    config = {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://essc@db:6432/essc?prepare_threshold=none",
        "DB_POOL_SIZE": 4,
        "DB_MAX_OVERFLOW": 2,
        "DB_POOL_RECYCLE": 600,
        "DB_POOL_TIMEOUT": 5,
        "DB_POOL_CLASS": "queue",
        "DB_CONNECT_TIMEOUT": 3,
        "DB_APP_NAME": "essc-web-a",
        "DB_PREPARE_THRESHOLD": "",
        "DATABASE_ENGINE_OPTIONS": '{"pool_use_lifo": true, "connect_args": {"keepalives_idle": 30}}',
    }
    url, options = engine_settings(config)
    assert url == "postgresql+psycopg://essc@db:6432/essc"  # psycopg would get the text "none" and fail
    assert options["connect_args"] == {
        "connect_timeout": 3,
        "application_name": "essc-web-a",
        "prepare_threshold": None,
        "keepalives_idle": 30,
    }
    assert (options["pool_size"], options["max_overflow"], options["pool_recycle"]) == (4, 2, 600)
    assert options["pool_use_lifo"] is True and options["pool_pre_ping"] is True
    _, numbered = engine_settings(
        config | {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://e@db/e?prepare_threshold=0"}
    )
    assert numbered["connect_args"]["prepare_threshold"] == 0
    _, null = engine_settings(config | {"DB_POOL_CLASS": "null", "DB_PREPARE_THRESHOLD": "none"})
    assert null["poolclass"].__name__ == "NullPool" and "pool_size" not in null
    assert engine_settings(config | {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})[1] == {}


@pytest.mark.commits
@pytest.mark.server_connections(4)
def test_two_instances_serve_through_pgbouncer_under_parallel_requests(app, world, tmp_path, pooled_url):
    _channel, issued = live_channel(world)
    key_id, secret = issued.key.key_id, issued.secret
    staff, company = bearer(world.operator), bearer(world.company_a)
    db.session.commit()
    settings = {"SQLALCHEMY_DATABASE_URI": pooled_url, "DB_PREPARE_THRESHOLD": "none", "GATEWAY_CACHE_SECONDS": 1}
    started = [serve_instance(app, tmp_path / name, **settings) for name in ("a", "b")]
    bases = [base for _process, base in started]
    path = "/api/v1/channel/services/qr_login"

    def call(i):
        try:
            return _call(i)
        except requests.RequestException as exc:
            return repr(exc)

    def _call(i):
        base = bases[i % 2]
        if i % 3 == 0:
            return requests.get(f"{base}/api/v1/applications", headers=company, timeout=30).status_code
        if i % 3 == 1:
            return requests.get(f"{base}/api/v1/monitoring/overview.csv", headers=staff, timeout=30).status_code
        headers = sign_request(key_id, secret, "GET", path)
        return requests.get(base + path, headers=headers, timeout=30).status_code

    try:
        statuses = [status for _round in range(3) for status in in_parallel(24, call)]
    finally:
        for process, _base in started:
            process.terminate()
            process.wait(10)
    assert set(statuses) == {200}, statuses
