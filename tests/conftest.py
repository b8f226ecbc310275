"""Test fixtures. One database per test session (per xdist worker), built by running every migration (so the migrations
are tested), with the shared world — two organisations and one account per role — built once through the app's
operations and committed.

Each test runs inside one outer transaction on one connection and is rolled back afterwards: the app's commits become
savepoints (`join_transaction_mode="create_savepoint"`), and the session store, which writes on a connection of its own
in production, writes on the test's connection too. Tests that need real commits from several connections (a live
server, parallel requests, other processes, backups) are marked `commits`: they run as the app does, and afterwards the
tables are emptied and the shared world rebuilt.
"""

import io
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as SASession
from werkzeug.serving import make_server

from app import create_app
from app.core import audit_triggers, timeutil, totp
from app.core.audit import GENESIS
from app.core.enums import Role
from app.core.storage import storage
from app.extensions import db, limiter
from app.modules.accounts import operations as accounts
from app.modules.accounts import sessions
from app.modules.accounts.rules import make_uscc
from app.modules.applications import operations as applications
from tests.servers import free_port, object_store, start_redis, stop

PASSWORD = "correct-horse-battery"
KEEP = {"region", "alembic_version"}
PDF = b"%PDF-1.4\n% test sheet\n"


def _database_url(tmp: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


def _worker_database(url: str, worker: str) -> str:
    """Each xdist worker has its own PostgreSQL database beside TEST_DATABASE_URL's (test_gw0, test_gw1 …)."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


class SavepointSession(SASession):
    """While a test holds its outer transaction, every session of the app works on the test's connection."""

    shared: sa.Connection | None = None

    def get_bind(self, *args, **kwargs):
        return SavepointSession.shared or super().get_bind(*args, **kwargs)


@pytest.fixture(scope="session")
def object_store_server(tmp_path_factory):
    """A real S3-compatible object store (SeaweedFS) for this test session (per xdist worker), with one bucket."""
    with object_store(tmp_path_factory.mktemp("s3")) as store:
        yield store


def _storage_config(request) -> dict:
    """TEST_STORAGE=s3 (`make test-storage`): the app keeps every file in the object store instead of folders."""
    if os.environ.get("TEST_STORAGE") != "s3":
        return {}
    return request.getfixturevalue("object_store_server").config


@pytest.fixture(scope="session")
def app(tmp_path_factory, request):
    tmp = tmp_path_factory.mktemp("essc")
    url = _database_url(tmp)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    application = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        KEYS_DIR=str(tmp / "keys"),
        UPLOAD_FOLDER=str(tmp / "uploads"),
        OUTBOX_FOLDER=str(tmp / "outbox"),
        BACKUP_FOLDER=str(tmp / "backups"),
        **_storage_config(request),
    )
    db.session = db._make_scoped_session({"class_": SavepointSession, "join_transaction_mode": "create_savepoint"})
    with application.app_context():
        upgrade()
        service = db.metadata.tables["service"]
        application.config["SEED_SERVICES"] = [dict(r._mapping) for r in db.session.execute(sa.select(service))]
        templates = db.metadata.tables["message_template"]
        application.config["SEED_TEMPLATES"] = [dict(r._mapping) for r in db.session.execute(sa.select(templates))]
        db.session.remove()
        _rebuild_world(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables(application) -> None:
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            _clear(conn, application)


def _clear(conn, application) -> None:
    """Every table emptied but the reference data the migrations load (regions, services, message templates)."""
    with audit_triggers.maintenance(conn):
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP:
                conn.execute(table.delete())
        conn.execute(db.metadata.tables["service"].insert(), application.config["SEED_SERVICES"])
        conn.execute(db.metadata.tables["message_template"].insert(), application.config["SEED_TEMPLATES"])
        conn.execute(db.metadata.tables["audit_head"].insert(), [{"id": 1, "seq": 0, "hash": GENESIS}])


@pytest.fixture
def empty_database(app):
    """The database as a fresh deployment has it: no world, only the reference data (rolled back with the test)."""
    _clear(db.session.connection(), app)
    db.session.commit()


def _rebuild_world(application) -> None:
    """Empty every table and build the shared world again, committed (once per session, and after each `commits`
    test)."""
    _empty_tables(application)
    with application.app_context():
        World.build()
        db.session.remove()


@contextmanager
def _outer_transaction(engine):
    """One connection in one transaction for the whole test. pysqlite opens transactions lazily and so cannot hold a
    savepoint: on SQLite the driver is told to leave transactions to us and the BEGIN is sent explicitly."""
    conn = engine.connect()
    raw = conn.connection.dbapi_connection
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        raw.isolation_level = None
    transaction = conn.begin()
    if sqlite:
        conn.exec_driver_sql("BEGIN")
    try:
        yield conn
    finally:
        transaction.rollback()
        if sqlite:
            raw.isolation_level = ""
        conn.close()


@contextmanager
def _session_store(conn):
    """In production the session store writes on its own connection and commits at once, and the request's unit of
    work is rolled back at teardown unless the view committed it. Here both share the test's connection, and
    savepoints nest: the request's unit of work ends first (rolled back, as teardown would), so that a later rollback
    of the app's session cannot undo the sign-in."""
    db.session.rollback()
    with conn.begin_nested():
        yield conn


@contextmanager
def _session_reader(conn):
    yield conn


def _commits(request) -> bool:
    return "live_server" in request.fixturenames or request.node.get_closest_marker("commits") is not None


@pytest.fixture(autouse=True)
def _clean(app, request):
    limiter.reset()
    ctx = app.test_request_context()
    ctx.push()
    with ExitStack() as stack:
        if not _commits(request):
            conn = stack.enter_context(_outer_transaction(db.engine))
            patch = stack.enter_context(pytest.MonkeyPatch.context())  # apart from the test's own `monkeypatch`
            patch.setattr(SavepointSession, "shared", conn)
            patch.setattr(sessions, "store_connection", lambda: _session_store(conn))
            patch.setattr(sessions, "store_reader", lambda: _session_reader(conn))
        try:
            yield
        finally:
            timeutil.freeze(None)
            db.session.remove()
    ctx.pop()
    if _commits(request):
        _rebuild_world(app)
    with app.app_context():
        for name in storage().names("uploads"):
            storage().delete("uploads", name)


def stored_files(area: str = "uploads") -> set[str]:
    """Every file of `area` in storage, and any temporary file left where its files are spooled."""
    spool = storage().spool_folder(area)
    return set(storage().names(area)) | {path.name for path in spool.glob(".*.part")}


@pytest.fixture
def live_server(app):
    """The app served on a free port by a threaded server: real parallel requests, each with its own connection."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    db.session.commit()  # what the test built is visible to the server's connections
    yield f"http://127.0.0.1:{httpd.port}"
    httpd.shutdown()
    thread.join(10)


def in_parallel(count: int, call) -> list:
    """Run `call(i)` in `count` threads released at the same moment; the results in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def worker(i):
        barrier.wait()
        results[i] = call(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


class IsolatedClient(FlaskClient):
    """The tests hold one app context open (to use the operations directly), so Flask reuses it for the client's
    requests; forget the user Flask-Login cached in `g` so that every request authenticates on its own."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        try:
            return super().open(*args, **kwargs)
        finally:
            g.pop("_login_user", None)


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server (Debian's package; `make test` installs it) on a free port, for this test only."""
    process, url = start_redis(tmp_path / "redis")
    yield url
    stop(process)


SERVE = """
import json, sys
from werkzeug.serving import run_simple
from app import create_app
url, keys, uploads, port, config = sys.argv[1:]
settings = {"SQLALCHEMY_DATABASE_URI": url, "KEYS_DIR": keys, "UPLOAD_FOLDER": uploads} | json.loads(config)
app = create_app("testing", **settings)
run_simple("127.0.0.1", int(port), app, threaded=True)
"""


STORAGE_SETTINGS = ("STORAGE_URL", "STORAGE_ENDPOINT_URL", "STORAGE_ACCESS_KEY_ID", "STORAGE_SECRET_ACCESS_KEY")


def serve_instance(app, tmp_path, log: Path | None = None, **config) -> tuple[subprocess.Popen, str]:
    """Another instance of the service (its own process, as another gunicorn worker or host) on the test database,
    with the same object store when the app has one; its log lines go to `log` if given. The caller terminates it."""
    if app.config["STORAGE_URL"]:
        config = {name: app.config[name] for name in STORAGE_SETTINGS} | config
    port = free_port()
    args = [app.config["SQLALCHEMY_DATABASE_URI"], app.config["KEYS_DIR"], str(tmp_path / "up"), str(port)]
    command = [sys.executable, "-c", SERVE, *args, json.dumps(config)]
    if log is None:
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    else:
        with open(log, "ab") as out:
            process = subprocess.Popen(command, stderr=out)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{base}/healthz", timeout=1)
            return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    process.terminate()
    pytest.fail("the other instance did not start")


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


def uscc(n: int, area: str = "370100") -> str:
    return make_uscc(f"91{area}{n:09d}")


class World:
    """Two organisations and one account per role, with two cities and two provinces of jurisdiction. Built once and
    committed (`build`); each test gets the same rows loaded into its own session."""

    ORGANISATIONS = ("org_a", "org_b")
    IDS: dict[str, int] = {}

    def __init__(self):
        from app.modules.accounts.models import Organisation, User

        for name, model in self._models(Organisation, User):
            setattr(self, name, db.session.get(model, World.IDS[name]))

    @classmethod
    def _models(cls, organisation, user):
        return [(name, organisation if name in cls.ORGANISATIONS else user) for name in cls.IDS]

    @classmethod
    def build(cls) -> None:
        org_a = accounts.create_organisation(
            "山东惠民科技有限公司", uscc(1), "济南市历下区", date(2015, 3, 1), category="social"
        )
        org_b = accounts.create_organisation(
            "广东便民网络有限公司", uscc(2, "440100"), "广州市天河区", date(2016, 5, 1), category="social"
        )
        built = {
            "org_a": org_a,
            "org_b": org_b,
            "company_a": cls.user("company_a", Role.company, organisation_id=org_a.id),
            "company_b": cls.user("company_b", Role.company, organisation_id=org_b.id),
            "jinan": cls.user("jinan", Role.municipal_reviewer, region_code="370100"),
            "qingdao": cls.user("qingdao", Role.municipal_reviewer, region_code="370200"),
            "guangzhou": cls.user("guangzhou", Role.municipal_reviewer, region_code="440100"),
            "shandong": cls.user("shandong", Role.provincial_reviewer, region_code="370000"),
            "guangdong": cls.user("guangdong", Role.provincial_reviewer, region_code="440000"),
            "national": cls.user("national", Role.national_reviewer),
            "operator": cls.user("operator", Role.operator),
            "admin": cls.user("admin", Role.admin),
            "auditor": cls.user("auditor", Role.auditor),
        }
        db.session.commit()
        cls.IDS = {name: row.id for name, row in built.items()}

    @staticmethod
    def user(username, role, **kw):
        user = accounts.create_user(
            username, PASSWORD, role, f"{username} 姓名", phone="13800000000", email=f"{username}@example.cn", **kw
        )
        if accounts.requires_mfa(user):
            enroll_totp(user)
        return user


TOTP_SECRETS: dict[int, str] = {}


def enroll_totp(user) -> str:
    """Enrol a staff account in TOTP as the user would (start, then confirm with a code)."""
    secret = accounts.start_totp_enrollment(user)
    TOTP_SECRETS[user.id] = secret
    try:
        accounts.confirm_totp(user, next_code(user))
    finally:
        release_clock()
    return secret


def next_code(user, secret: str | None = None) -> str:
    """A valid, unused code: the next time step after the last one accepted. When that step lies in the future, the
    clock is frozen at its start until `release_clock()` (codes can never be reused, so quick successive sign-ins of
    one account need successive steps)."""
    step = max(totp.current_step(), user.totp_last_step + 1)
    if step > totp.current_step():
        timeutil.freeze(datetime.fromtimestamp(step * totp.STEP_SECONDS, UTC).replace(tzinfo=None))
    return totp.code_at(secret or TOTP_SECRETS[user.id], step)


def release_clock() -> None:
    timeutil.freeze(None)


@pytest.fixture
def world(app):
    return World()


def application_data(**overrides) -> dict:
    """A complete, eligible test-intake application: a social-channel APP in Jinan (C2.2, C7.1, C7.2). The category
    is the owner's (C1.2), so it is not sent unless a test asks for one."""
    data = {
        "level": 1,
        "contact_name": "张三",
        "contact_phone": "13912345678",
        "contact_email": "zhang@example.cn",
        "operating_since": date(2020, 1, 1),
        "serves_livelihood": True,
        "existing_users": 2_000_000,
        "rows": [
            {
                "name": "惠民生活APP",
                "form": "app",
                "access_mode": "sdk",
                "regions": ["370100"],
                "services": ["standard", "qr_login"],
            }
        ],
        "social": {
            "user_groups": "城市居民",
            "registered_users": 3_000_000,
            "monthly_active_users": 800_000,
            "introduction": "本地生活服务",
            "download_url": "https://example.cn/app",
            "covered_regions": "山东省济南市",
            "scenario_fit": "社保查询与缴费",
            "entry_point": "首页-民生服务",
            "expansion_plan": "逐步接入医保",
            "committed_annual_issuance": 120000,
            "committed_mau": 50000,
            "company_materials": "营业执照",
        },
    }
    data.update(overrides)
    return data


def attach_sheet(user, app_row):
    return applications.add_attachment(user, app_row, "test_info_sheet", io.BytesIO(PDF), "采集表.pdf")


def registered_as(user, category: str) -> None:
    """C1.2: the user's organisation registered as `category` — through the administrator's reviewed change."""
    from app.modules.accounts.models import User

    if user.organisation.category.value != category:
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        accounts.change_organisation_category(admin, user.organisation_id, category, "按营业执照复核单位类别")


def file_application(user, **overrides):
    """Create, attach the required sheet, and submit — the applicant's whole filing (as the kind of owner asked)."""
    if "category" in overrides:
        registered_as(user, overrides["category"])
    draft = applications.create_draft(user, application_data(**overrides))
    attach_sheet(user, draft)
    return applications.submit(user, draft)


def login(client, username: str, password: str = PASSWORD):
    """Sign in through the pages, answering the one-time-code step for staff."""
    response = client.post("/login", data={"username": username, "password": password})
    if response.status_code == 302 and "/login/verify" in response.headers["Location"]:
        from app.modules.accounts.models import User

        user = db.session.scalar(sa.select(User).where(User.username == username))
        db.session.refresh(user)
        try:
            response = client.post("/login/verify", data={"code": next_code(user)})
        finally:
            release_clock()
    return response


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {accounts.create_api_token(user)}"}
