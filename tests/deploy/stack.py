"""The production stack on loopback, from deploy/ and the README's Production section: nginx with TLS in front of two
gunicorn instances (deploy/gunicorn.conf.py), pgbouncer in transaction mode in front of PostgreSQL, Redis, the
object store (SeaweedFS) and two schedulers — every one a real server started here on free ports, in production
configuration. Used by tests/deploy and by the throughput benchmark (tests/bench/stack.py)."""

import base64
import datetime as dt
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import requests
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.core import totp
from tests.bench.gateway import ISSUE_KEY
from tests.servers import Pooler, free_port, start_object_store, start_pgbouncer, start_redis, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
METRICS_TOKEN = "stack-metrics-token-0123456789abcdef"
PASSWORD = "Demo-essc-2026"
NGINX_MAIN = """worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""


def write_key(path: Path) -> None:
    """A key as the README says to make one: 32 random bytes, base64, readable by the service only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(base64.b64encode(os.urandom(32)).decode())
    path.chmod(0o600)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A TLS certificate for 127.0.0.1 and localhost, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "essc-test")])
    now = dt.datetime.now(dt.UTC)
    san = x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def fresh_database(base_url: str, name: str) -> str:
    url = sa.engine.make_url(base_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    folder: Path
    database_url: str  # direct to PostgreSQL
    env: dict = field(default_factory=dict)
    pooler: Pooler | None = None
    redis: subprocess.Popen | None = None
    store: object = None
    nginx: subprocess.Popen | None = None
    https_port: int = 0
    http_port: int = 0
    instances: dict = field(default_factory=dict)
    schedulers: dict = field(default_factory=dict)
    cert: Path | None = None

    # --- the servers -------------------------------------------------------------------------------------------------
    def start_services(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.redis, redis_url = start_redis(self.folder / "redis")
        self.store = start_object_store(self.folder / "s3")
        self.pooler = start_pgbouncer(self.database_url, pool=10)
        self.cert, _key = self_signed(self.folder)
        self.https_port, self.http_port = free_port(), free_port()
        keys = self.folder / "keys"
        for name in ("master.key", "audit-chain.key", "document-signing.key"):
            write_key(keys / name)
        self.env = (
            os.environ
            | {
                "FLASK_APP": "wsgi.py",
                "FLASK_CONFIG": "production",
                "SECRET_KEY": base64.b64encode(os.urandom(32)).decode(),
                "PUBLIC_BASE_URL": f"https://127.0.0.1:{self.https_port}",
                "DATABASE_URL": self.pooler.url,
                "DB_PREPARE_THRESHOLD": "none",
                "DB_POOL_SIZE": "4",
                "DB_MAX_OVERFLOW": "2",
                "KEYS_DIR": str(keys),
                "MASTER_KEY_FILE": str(keys / "master.key"),
                "AUDIT_CHAIN_KEY_FILE": str(keys / "audit-chain.key"),
                "DOCUMENT_SIGNING_KEY_FILE": str(keys / "document-signing.key"),
                "REDIS_URL": redis_url,
                "TRUSTED_PROXIES": "1",
                "METRICS_TOKEN": METRICS_TOKEN,
                "LOG_FORMAT": "json",
                "OUTBOX_FOLDER": str(self.folder / "outbox"),
                "UPLOAD_FOLDER": str(self.folder / "uploads-unused"),
                "SCHEDULER_LEASE_SECONDS": "6",
                "SCHEDULER_HEARTBEAT_SECONDS": "1",
            }
            | {key: str(value) for key, value in self.store.config.items()}
        )
        self.env.pop("TEST_DATABASE_URL", None)
        self.env.pop("TEST_STORAGE", None)
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)

    def flask(self, *args: str, input_text: str | None = None, check: bool = True, **env) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            env=self.env | env,
            cwd=ROOT,
            input=input_text,
            text=True,
            capture_output=True,
            timeout=900,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-3000:]}")
        return done.stdout

    def start_instance(self, name: str, workers: int = 2, threads: int = 4) -> Instance:
        port = free_port()
        run = self.folder / "run" / name
        run.mkdir(parents=True, exist_ok=True)
        env = self.env | {
            "ESSC_INSTANCE": name,
            "ESSC_BIND": f"127.0.0.1:{port}",
            "ESSC_RUN_DIR": str(run),
            "ESSC_WORKERS": str(workers),
            "ESSC_THREADS": str(threads),
            "DB_APP_NAME": f"essc-web-{name}",
        }
        command = [str(Path(sys.executable).parent / "gunicorn"), "--config", str(DEPLOY / "gunicorn.conf.py")]
        with open(self.folder / f"web-{name}.log", "ab") as log:
            process = subprocess.Popen(
                [*command, "wsgi:app"], env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )
        instance = Instance(name, port, process)
        wait_for(lambda: _answers(instance), 60, f"web instance {name}")
        self.instances[name] = instance
        return instance

    def kill_instance(self, name: str) -> None:
        """kill -9 of the instance's master and every worker (a host gone at once)."""
        instance = self.instances.pop(name)
        os.killpg(instance.process.pid, signal.SIGKILL)
        instance.process.wait(10)

    def start_nginx(self, upstreams: list[Instance]) -> None:
        folder = self.folder / "nginx"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        values = {
            "ESSC_SERVER_NAME": "127.0.0.1",
            "ESSC_HTTPS_PORT": str(self.https_port),
            "ESSC_HTTP_PORT": str(self.http_port),
            "ESSC_TLS_CERT": str(self.cert),
            "ESSC_TLS_KEY": str(self.cert.with_name("tls.key")),
            "ESSC_UPSTREAM_A": f"127.0.0.1:{upstreams[0].port}",
            "ESSC_UPSTREAM_B": f"127.0.0.1:{upstreams[-1].port}",
            "ESSC_LOG_DIR": str(folder),
        }
        site = Template((DEPLOY / "nginx" / "essc.conf.template").read_text()).safe_substitute(values)
        if len(upstreams) == 1:  # one instance: the template's second line names the same server, which nginx refuses
            site = site.replace(f"    server {values['ESSC_UPSTREAM_B']} max_fails=1 fail_timeout=10s;\n", "", 1)
        (folder / "site.conf").write_text(site)
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(NGINX_MAIN.format(folder=folder, user=user))
        command = ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"]
        with open(folder / "stderr", "wb") as errors:
            self.nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        wait_for(lambda: self.get("/healthz").status_code == 200, 20, "nginx")

    def stop_nginx(self) -> None:
        if self.nginx is not None:
            stop(self.nginx)
            self.nginx = None

    def start_scheduler(self, name: str) -> subprocess.Popen:
        env = {"DB_APP_NAME": f"essc-scheduler-{name}", "METRICS_PORT": str(free_port())}
        with open(self.folder / f"scheduler-{name}.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "monitoring", "scheduler"],
                env=self.env | env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        process.metrics_port = int(env["METRICS_PORT"])
        self.schedulers[name] = process
        return process

    def https(self, path: str) -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"

    def session(self) -> requests.Session:
        """A browser of this stack: it trusts the stack's certificate (and not the environment's CA settings)."""
        browser = requests.Session()
        browser.trust_env, browser.verify = False, str(self.cert)
        return browser

    def enrolled_staff(self, username: str, role: str, name: str, password: str) -> requests.Session:
        """A staff account made as the README says (`flask users create`), signed in through nginx for the first
        time: password, then the enrolment page's secret into an authenticator (here: computed), then its code."""
        self.flask("users", "create", "--username", username, "--name", name, "--role", role, "--password", password)
        browser = self.session()
        login = browser.get(self.https("/login"), timeout=30)
        form = {"csrf_token": csrf_token(login.text), "username": username, "password": password}
        signed = browser.post(
            self.https("/login"),
            data=form,
            headers={"Referer": self.https("/login")},
            allow_redirects=False,
            timeout=30,
        )
        if signed.status_code != 302:
            raise RuntimeError(f"sign-in of {username} refused: {signed.status_code}")
        enrol = browser.get(self.https(signed.headers["Location"]), timeout=30)
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', enrol.text).group(1)
        confirm = {"csrf_token": csrf_token(enrol.text), "code": totp.code_at(secret, totp.current_step())}
        done = browser.post(enrol.url, data=confirm, headers={"Referer": enrol.url}, allow_redirects=False, timeout=30)
        if done.status_code != 302:
            raise RuntimeError(f"enrolment of {username} refused: {done.status_code}")
        browser.enrolment = {"signed": signed, "done": done, "secret": secret}
        return browser

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.https(path), verify=str(self.cert), timeout=30, **kwargs)

    def lease(self) -> tuple[str, int]:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                row = conn.execute(sa.text("SELECT holder, token FROM scheduler_lease WHERE name = 'scheduler'")).one()
        finally:
            engine.dispose()
        return row.holder, row.token

    def issue_gateway_key(self) -> dict:
        """A production key of a live demo channel, rotated here so that its secret is known (as at hand-over)."""
        done = subprocess.run([sys.executable, "-c", ISSUE_KEY], env=self.env, cwd=ROOT, capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode()[-2000:])
        return json.loads(done.stdout.decode().strip().splitlines()[-1])

    def stop(self) -> None:
        self.stop_nginx()
        for process in self.schedulers.values():
            stop(process)
        for name in list(self.instances):
            instance = self.instances.pop(name)
            try:
                os.killpg(instance.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                instance.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(instance.process.pid, signal.SIGKILL)
        if self.store is not None:
            self.store.resume()
            stop(self.store.process)
        if self.redis is not None:
            self.redis.send_signal(signal.SIGCONT)
            stop(self.redis)
        if self.pooler is not None:
            self.pooler.stop()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _answers(instance: Instance) -> bool:
    if instance.process.poll() is not None:
        raise RuntimeError(f"web instance {instance.name} exited with {instance.process.returncode}")
    return requests.get(instance.base + "/healthz", timeout=2).status_code == 200
