"""One storage for every file the service keeps: uploads (attachments, recordings, security reports, incident
evidence), issued documents, the e-mail and SMS outbox, and data backups — each in its own area.

Embedded default: one local folder per area (UPLOAD_FOLDER, OUTBOX_FOLDER, BACKUP_FOLDER). With STORAGE_URL =
`s3://bucket[/prefix]` every area is a prefix in one bucket of an S3-compatible object store (a cloud object storage
service, MinIO, Ceph RGW, SeaweedFS) reached through boto3, so that every instance on every host sees the same files.

Files move as streams: a file is first spooled to a local temporary file (where its size and type are checked), then
moved into place — renamed in the folder, or sent to the store in parts (multipart upload, at most a few parts in
memory at once); reading streams the object back in chunks. A name that is not there is `ObjectMissing` (404); a store
that does not answer is `StorageUnavailable` (503) — never a bare 500.
"""

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Response, current_app, send_file

from app.core.errors import DomainError, NotFound

AREAS = {"uploads": "UPLOAD_FOLDER", "outbox": "OUTBOX_FOLDER", "backups": "BACKUP_FOLDER"}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class ObjectMissing(NotFound):
    """A record names a file the storage does not hold (removed, or never copied to this store)."""

    code = "file_missing"

    def __init__(self):
        super().__init__("文件已不在存储中，请联系平台运营方", "The file is no longer in storage; contact the operator")


class StorageUnavailable(DomainError):
    status = 503
    code = "storage_unavailable"

    def __init__(self):
        super().__init__("文件存储暂时不可用，请稍后重试", "File storage is unavailable now; try again shortly")


def _checked(area: str, name: str) -> str:
    if area not in AREAS or not NAME.match(name):
        raise ValueError(f"not a storage name: {area}/{name!r}")
    return name


class LocalStorage:
    """A folder per area on this host's disk (the embedded default; one host only)."""

    kind = "local"

    def __init__(self, folders: dict[str, str]):
        self.folders = {area: Path(folder) for area, folder in folders.items()}

    def location(self, area: str) -> str:
        return str(self.folders[area])

    def path(self, area: str, name: str) -> Path:
        return self.folders[area] / _checked(area, name)

    def spool_folder(self, area: str) -> Path:
        """Temporary files are spooled beside their area, so that moving them into place is a rename."""
        folder = self.folders[area]
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def put_file(self, area: str, name: str, source: Path, content_type: str = "") -> None:
        target = self.path(area, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError:  # another file system (a backup written elsewhere): copy under a temporary name, then rename
            partial = target.with_name(f".{name}.{secrets.token_hex(4)}.part")
            shutil.copyfile(source, partial)
            os.replace(partial, target)
            Path(source).unlink(missing_ok=True)

    def put_bytes(self, area: str, name: str, data: bytes, content_type: str = "") -> None:
        target = self.path(area, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{name}.{secrets.token_hex(4)}.part")
        try:
            partial.write_bytes(data)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def get_bytes(self, area: str, name: str) -> bytes:
        try:
            return self.path(area, name).read_bytes()
        except FileNotFoundError:
            raise ObjectMissing() from None

    def open(self, area: str, name: str):
        """(a binary file object, its size); the caller closes it."""
        try:
            handle = open(self.path(area, name), "rb")  # noqa: SIM115 - returned to the caller
        except FileNotFoundError:
            raise ObjectMissing() from None
        return handle, os.fstat(handle.fileno()).st_size

    def exists(self, area: str, name: str) -> bool:
        return self.path(area, name).is_file()

    def delete(self, area: str, name: str) -> None:
        self.path(area, name).unlink(missing_ok=True)

    def names(self, area: str) -> Iterator[str]:
        folder = self.folders[area]
        if folder.is_dir():
            yield from sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))

    def download(self, area: str, name: str, mimetype: str, filename: str) -> Response:
        path = self.path(area, name)
        if not path.is_file():
            raise ObjectMissing()
        return send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename)

    def check(self) -> None:
        for folder in self.folders.values():
            folder.mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK):
                raise StorageUnavailable()


class S3Storage:
    """Every area a prefix in one bucket of an S3-compatible store (STORAGE_URL = s3://bucket[/prefix])."""

    kind = "s3"

    def __init__(self, config: dict):
        url = urlsplit(config["STORAGE_URL"])
        self.bucket, self.prefix = url.netloc, url.path.strip("/")
        self.endpoint = config.get("STORAGE_ENDPOINT_URL") or None
        settings = Config(
            region_name=config.get("STORAGE_REGION") or "us-east-1",
            s3={"addressing_style": config.get("STORAGE_ADDRESSING_STYLE") or "path"},
            connect_timeout=config.get("STORAGE_CONNECT_TIMEOUT", 3),
            read_timeout=config.get("STORAGE_READ_TIMEOUT", 30),
            retries={"max_attempts": 3, "mode": "standard"},
        )
        session = boto3.session.Session()
        credentials = {
            "endpoint_url": self.endpoint,
            "aws_access_key_id": config.get("STORAGE_ACCESS_KEY_ID") or None,
            "aws_secret_access_key": config.get("STORAGE_SECRET_ACCESS_KEY") or None,
            "verify": config.get("STORAGE_CA_BUNDLE") or None,
        }
        self.client = session.client("s3", config=settings, **credentials)
        # The readiness check asks once and briefly: a store that hangs makes the instance unready within seconds.
        quick = settings.merge(
            Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1, "mode": "standard"})
        )
        self.probe = session.client("s3", config=quick, **credentials)
        self.spool = Path(config.get("STORAGE_SPOOL_FOLDER") or tempfile.gettempdir())
        part = config.get("STORAGE_PART_BYTES", 8 * 1024 * 1024)
        self.transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=4)

    def location(self, area: str) -> str:
        return "s3://" + "/".join(part for part in (self.bucket, self.prefix, area) if part)

    def key(self, area: str, name: str) -> str:
        return "/".join(part for part in (self.prefix, area, _checked(area, name)) if part)

    def spool_folder(self, area: str) -> Path:
        self.spool.mkdir(parents=True, exist_ok=True)
        return self.spool

    def _call(self, operation, *args, **kwargs):
        try:
            return operation(*args, **kwargs)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound") or status == 404:
                raise ObjectMissing() from None
            current_app.logger.error("object storage refused %s: %s", getattr(operation, "__name__", "?"), exc)
            raise StorageUnavailable() from None
        except BotoCoreError as exc:
            current_app.logger.error("object storage unreachable: %s", type(exc).__name__)
            raise StorageUnavailable() from None

    def put_file(self, area: str, name: str, source: Path, content_type: str = "") -> None:
        extra = {"ContentType": content_type} if content_type else None
        try:
            self._call(
                self.client.upload_file, str(source), self.bucket, self.key(area, name), extra, None, self.transfer
            )
        finally:
            Path(source).unlink(missing_ok=True)

    def put_bytes(self, area: str, name: str, data: bytes, content_type: str = "") -> None:
        extra = {"ContentType": content_type} if content_type else {}
        self._call(self.client.put_object, Bucket=self.bucket, Key=self.key(area, name), Body=data, **extra)

    def get_bytes(self, area: str, name: str) -> bytes:
        body, _size = self.open(area, name)
        with body:
            return body.read()

    def open(self, area: str, name: str):
        answer = self._call(self.client.get_object, Bucket=self.bucket, Key=self.key(area, name))
        return answer["Body"], answer["ContentLength"]

    def exists(self, area: str, name: str) -> bool:
        try:
            self._call(self.client.head_object, Bucket=self.bucket, Key=self.key(area, name))
        except ObjectMissing:
            return False
        return True

    def delete(self, area: str, name: str) -> None:
        self._call(self.client.delete_object, Bucket=self.bucket, Key=self.key(area, name))

    def names(self, area: str) -> Iterator[str]:
        start = "/".join(part for part in (self.prefix, area) if part) + "/"
        pages = iter(self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start))
        while (page := self._call(next, pages, None)) is not None:
            for item in page.get("Contents", []):
                yield item["Key"][len(start) :]

    def download(self, area: str, name: str, mimetype: str, filename: str) -> Response:
        """Streamed from the store as it is read (the body is closed when the response is)."""
        body, size = self.open(area, name)
        response = send_file(body, mimetype=mimetype, as_attachment=True, download_name=filename, conditional=False)
        response.content_length = size
        return response

    def check(self) -> None:
        self._call(self.probe.head_bucket, Bucket=self.bucket)


def storage():
    """This app's storage (created on first use; boto3 clients are thread-safe)."""
    app = current_app._get_current_object()
    store = app.extensions.get("essc_storage")
    if store is None:
        config = app.config
        if config.get("STORAGE_URL"):
            store = S3Storage(config)
        else:
            store = LocalStorage({area: config[setting] for area, setting in AREAS.items()})
        app.extensions["essc_storage"] = store
    return store


def spool_file(area: str) -> Path:
    """A new temporary file's path where `area`'s files are spooled before they are moved into place."""
    folder = storage().spool_folder(area)
    return folder / f".{secrets.token_hex(16)}.part"
