"""The deployment tested as a whole (issue 26 item 8), as the README's Production section builds it: nginx with TLS →
two gunicorn instances (deploy/gunicorn.conf.py, production configuration) → pgbouncer in transaction mode →
PostgreSQL; a shared Redis, the object store and two schedulers; keys made as the README says, the schema migrated
once, the demo loaded through the pooler.

Checked in order, on the one stack: the first administrator enrols without any demo command and signs in through
nginx (CSRF with the Referer on https, secure cookies, HSTS); an upload through one instance is read through the
other, and a PDF is downloaded through both; `kill -9` of one instance under a bounded load of signed gateway calls
through nginx fails at most the requests in flight; the scheduler's standby takes over within 30 s of the leader's
`kill -9`; `/readyz` goes unready when Redis or the object store stops and ready again when they are back; the
metrics count what happened."""

import signal
import threading
import time

import pytest
import requests

from app.modules.gateway.signing import sign_request
from tests.conftest import PDF
from tests.deploy.stack import METRICS_TOKEN, PASSWORD, Stack, csrf_token, fresh_database


@pytest.fixture
def stack(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the deployment runs on PostgreSQL behind pgbouncer: this runs in the PostgreSQL leg")
    built = Stack(tmp_path / "stack", fresh_database(url, "essc_stack"))
    try:
        built.start_services()
        built.flask("db", "upgrade")  # once per deploy, from one host
        built.flask("demo", "load")
        built.start_scheduler("one")
        built.start_scheduler("two")
        one, two = built.start_instance("a"), built.start_instance("b")
        built.start_nginx([one, two])
        yield built
    finally:
        built.stop()


def test_the_deployment_as_a_whole(stack):
    first_administrator_enrols_and_signs_in_through_nginx(stack)
    files_are_shared_by_the_instances(stack)
    backups_hold_the_object_store(stack)
    served = one_instance_killed_under_load(stack)
    the_scheduler_fails_over(stack)
    readiness_follows_redis_and_storage(stack)
    metrics_count_what_happened(stack, served)


def first_administrator_enrols_and_signs_in_through_nginx(stack: Stack) -> None:
    plain = requests.get(f"http://127.0.0.1:{stack.http_port}/login", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"] == stack.https("/login")
    browser = stack.enrolled_staff("root_admin", "admin", "平台管理员", "a-long-first-password")
    signed, done = browser.enrolment["signed"], browser.enrolment["done"]
    assert "Secure" in signed.headers["Set-Cookie"] and "HttpOnly" in signed.headers["Set-Cookie"]
    assert "/account/mfa" in signed.headers["Location"]  # a new staff account enrols before anything else
    assert done.headers["Location"].endswith("/")
    home = browser.get(stack.https("/"), timeout=30)
    assert home.status_code == 200 and "平台管理员" in home.text
    assert home.headers["Strict-Transport-Security"].startswith("max-age=") and home.headers["X-Request-Id"]
    without_referer = browser.post(stack.https("/logout"), data={"csrf_token": csrf_token(home.text)}, timeout=30)
    assert without_referer.status_code == 400  # CSRF on https needs the Referer: nginx passes the client's through


def files_are_shared_by_the_instances(stack: Stack) -> None:
    one, other = stack.instances["a"].base, stack.instances["b"].base
    token = requests.post(
        f"{one}/api/v1/auth/token", json={"username": "huimin_user", "password": PASSWORD}, timeout=30
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    applications = requests.get(f"{one}/api/v1/applications", headers=auth, timeout=30).json()["items"]
    draft = next(a for a in applications if a["status"] in ("draft", "returned"))
    files = {"file": ("采集表.pdf", PDF, "application/pdf")}
    uploaded = requests.post(
        f"{one}/api/v1/applications/{draft['id']}/attachments",
        data={"kind": "other"},
        files=files,
        headers=auth,
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    path = f"/api/v1/applications/{draft['id']}/attachments/{uploaded.json()['id']}"
    read = requests.get(other + path, headers=auth, timeout=30)
    assert read.status_code == 200 and read.content == PDF  # written by one host, read by the other
    for application in applications:
        form = f"/api/v1/applications/{application['id']}/forms/form1"
        first = requests.get(one + form, headers=auth, timeout=60)
        if first.status_code == 200:
            second = requests.get(other + form, headers=auth, timeout=60)
            assert second.status_code == 200 and second.content == first.content  # issued on a, served by b
            return
    pytest.fail("no application of huimin_user has a Form 1 to download")


def backups_hold_the_object_store(stack: Stack) -> None:
    """A data backup from any host goes to the object store with every stored file, dumped from PostgreSQL itself
    (pg_dump keeps session state: never through pgbouncer in transaction mode)."""
    env = {"BACKUP_PASSPHRASE": "a long passphrase for the stack", "BACKUP_DATABASE_URL": stack.database_url}
    created = stack.flask("backup", "create", **env).splitlines()[0]
    assert created.startswith("s3://"), created
    assert created.rsplit("/", 1)[1] in stack.flask("backup", "list", **env).split()


def one_instance_killed_under_load(stack: Stack, threads: int = 8, seconds: float = 8.0) -> int:
    """Signed gateway calls through nginx; instance a is killed (master and workers) a third of the way in."""
    key = stack.issue_gateway_key()
    path = f"/api/v1/channel/services/{key['service']}"
    outcomes: list[tuple[float, int]] = []
    deadline = time.monotonic() + seconds

    def caller():
        session = stack.session()
        while time.monotonic() < deadline:
            headers = sign_request(key["key_id"], key["secret"], "GET", path)
            try:
                status = session.get(stack.https(path), headers=headers, timeout=30).status_code
            except requests.RequestException:
                status = 0
            outcomes.append((time.monotonic(), status))

    callers = [threading.Thread(target=caller) for _ in range(threads)]
    for thread in callers:
        thread.start()
    time.sleep(seconds / 3)
    stack.kill_instance("a")
    for thread in callers:
        thread.join(60)
    failed = [status for _at, status in outcomes if status != 200]
    assert len(outcomes) > 100, len(outcomes)
    assert len(failed) <= threads, f"{len(failed)} of {len(outcomes)} failed: {sorted(set(failed))}"
    return sum(1 for _at, status in outcomes if status == 200)


def the_scheduler_fails_over(stack: Stack) -> None:
    holder, token = stack.lease()
    leader = next(name for name, process in stack.schedulers.items() if f":{process.pid}:" in holder)
    stack.schedulers[leader].send_signal(signal.SIGKILL)
    killed, standby = time.monotonic(), next(p for name, p in stack.schedulers.items() if name != leader)
    while time.monotonic() - killed < 30:
        holder_now, token_now = stack.lease()
        if f":{standby.pid}:" in holder_now:
            assert token_now == token + 1
            return
        time.sleep(0.5)
    pytest.fail(f"the standby did not take the lease within 30 s (holder {holder_now})")


def _ready(stack: Stack) -> requests.Response:
    return requests.get(stack.instances["b"].base + "/readyz", timeout=30)


def _until(check, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def readiness_follows_redis_and_storage(stack: Stack) -> None:
    assert _ready(stack).status_code == 200
    for name, pause, resume in (
        ("redis", lambda: stack.redis.send_signal(signal.SIGSTOP), lambda: stack.redis.send_signal(signal.SIGCONT)),
        ("storage", stack.store.pause, stack.store.resume),
    ):
        pause()
        try:
            started = time.monotonic()
            answer = _ready(stack)
            assert answer.status_code == 503 and not answer.json()["checks"][name]["ok"], answer.text
            assert time.monotonic() - started < 10, "a hung dependency made /readyz hang"
        finally:
            resume()
        assert _until(lambda: _ready(stack).status_code == 200), f"not ready again after {name} came back"


def metrics_count_what_happened(stack: Stack, served: int) -> None:
    assert stack.get("/metrics").status_code == 404  # never through nginx
    text = requests.get(
        stack.instances["b"].base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
    ).text
    counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('essc_gateway_decisions_total{outcome="served"}')
    )
    assert counted >= served / 3, (counted, served)  # b served at least its share, summed over its two workers
    requests_counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('essc_http_requests_total{endpoint="api.service_check",method="GET",status="200"}')
    )
    assert requests_counted >= counted  # every served gateway call is a request of its endpoint
    assert "essc_delivery_queue_depth" in text
    scheduler = next(p for p in stack.schedulers.values() if p.poll() is None)
    scraped = requests.get(f"http://127.0.0.1:{scheduler.metrics_port}/metrics", timeout=10)
    assert scraped.status_code == 200 and "essc_delivery_queue_depth" in scraped.text
