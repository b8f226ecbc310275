"""One storage for every file (issue 26 item 1): the local folder and a real S3-compatible object store (SeaweedFS,
started for the session) behave alike; files move as streams; two instances on one object store see each other's
files; a missing file is a 404 and an unreachable store a 503, never a 500."""

import hashlib
import io
import os
import secrets
import tracemalloc

import pytest
import requests

from app.core.errors import NotFound
from app.core.storage import LocalStorage, ObjectMissing, S3Storage, StorageUnavailable, storage
from app.core.uploads import save_upload
from app.extensions import db
from tests.conftest import PDF, application_data, bearer, free_port, serve_instance
from tests.journeys import MP4


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, app):
    """A fresh store of each kind: a folder, or its own prefix in the session's bucket."""
    if request.param == "local":
        return LocalStorage({"uploads": str(tmp_path / "u"), "outbox": str(tmp_path / "o"), "backups": str(tmp_path)})
    server = request.getfixturevalue("object_store_server")
    config = server.config | {"STORAGE_URL": f"s3://{server.bucket}/t-{secrets.token_hex(4)}"}
    return S3Storage(dict(app.config) | config)


def test_every_area_keeps_reads_lists_and_deletes_by_name(store):
    store.put_bytes("uploads", "a1", b"first")
    store.put_bytes("outbox", "mail-1.eml", b"mail")
    assert store.get_bytes("uploads", "a1") == b"first" and store.exists("uploads", "a1")
    assert list(store.names("uploads")) == ["a1"] and list(store.names("outbox")) == ["mail-1.eml"]
    store.delete("uploads", "a1")
    store.delete("uploads", "a1")  # deleting what is gone is not an error (a resumed exit deletion)
    assert not store.exists("uploads", "a1") and list(store.names("uploads")) == []
    with pytest.raises(ObjectMissing) as missing:
        store.get_bytes("uploads", "a1")
    assert missing.value.status == 404 and isinstance(missing.value, NotFound)


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "", "x" * 201])
def test_names_cannot_leave_their_area(store, name):
    with pytest.raises(ValueError):
        store.put_bytes("uploads", name, b"x")


def test_a_large_file_moves_as_a_stream_and_reads_back_in_chunks(store, tmp_path):
    data = os.urandom(20 * 1024 * 1024 + 17)
    source = tmp_path / "big.part"
    source.write_bytes(data)
    store.put_file("uploads", "big", source, "video/mp4")
    assert not source.exists()  # moved, not copied and left behind
    body, size = store.open("uploads", "big")
    digest = hashlib.sha256()
    with body:
        while chunk := body.read(1024 * 1024):
            digest.update(chunk)
    assert size == len(data) and digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_c2_9_a_recording_goes_to_the_object_store_without_being_held_in_memory(app, object_store_server, monkeypatch):
    """60 MB through save_upload into S3 in 5 MB parts: Python never holds more than a few parts at once."""
    config = dict(app.config) | object_store_server.config | {"STORAGE_PART_BYTES": 5 * 1024 * 1024}
    s3 = S3Storage(config)
    monkeypatch.setitem(app.extensions, "essc_storage", s3)
    size = 60 * 1024 * 1024
    video = io.BufferedReader(_Video(size))
    tracemalloc.start()
    try:
        stored = save_upload(video, "demo.mp4", ("mp4",), 200 * 1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stored.size == size and s3.open("uploads", stored.stored_name)[1] == size
    assert peak < size / 2, f"peak {peak / 2**20:.1f} MiB for a {size / 2**20:.0f} MiB recording"
    s3.delete("uploads", stored.stored_name)


class _Video(io.RawIOBase):
    """An MP4 header followed by zeros, produced as it is read."""

    def __init__(self, size: int):
        self.left, self.head = size, MP4

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        chunk = (self.head + bytes(n))[:n]
        self.head = self.head[n:]
        buffer[:n] = chunk
        self.left -= n
        return n


@pytest.fixture
def instances(app, tmp_path, object_store_server):
    """Two instances of the service on one object store, each with its own (empty) local folders."""
    config = object_store_server.config
    started = [serve_instance(app, tmp_path / name, **config) for name in ("a", "b")]
    yield [base for _process, base in started]
    for process, _base in started:
        process.terminate()
        process.wait(10)


@pytest.mark.commits
def test_an_upload_through_one_instance_is_read_through_the_other(world, instances):
    one, other = instances
    auth = bearer(world.company_a)
    db.session.commit()
    draft = requests.post(f"{one}/api/v1/applications", json=_json(application_data()), headers=auth, timeout=30)
    assert draft.status_code == 201, draft.text
    app_id = draft.json()["id"]
    files = {"file": ("采集表.pdf", PDF, "application/pdf")}
    attachments = f"{one}/api/v1/applications/{app_id}/attachments"
    uploaded = requests.post(attachments, data={"kind": "test_info_sheet"}, files=files, headers=auth, timeout=30)
    assert uploaded.status_code == 201, uploaded.text
    path = f"/api/v1/applications/{app_id}/attachments/{uploaded.json()['id']}"
    for base in (other, one):
        download = requests.get(base + path, headers=auth, timeout=30)
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
    form = f"/api/v1/applications/{app_id}/forms/form1"
    pdfs = [requests.get(base + form, headers=auth, timeout=60) for base in instances]
    assert [r.status_code for r in pdfs] == [200, 200] and pdfs[0].content == pdfs[1].content


def _json(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if k != "level"}


def test_a_file_missing_from_storage_is_a_clear_404(app, world, client, monkeypatch):
    from app.modules.applications import operations as applications

    draft = applications.create_draft(world.company_a, application_data())
    attachment = applications.add_attachment(world.company_a, draft, "test_info_sheet", io.BytesIO(PDF), "a.pdf")
    storage().delete("uploads", attachment.stored_name)  # gone behind the service's back
    answer = client.get(f"/api/v1/applications/{draft.id}/attachments/{attachment.id}", headers=bearer(world.company_a))
    assert answer.status_code == 404 and answer.json["error"]["code"] == "file_missing"
    assert "文件已不在存储中" in answer.json["error"]["message"]


def test_an_unreachable_object_store_is_a_503_and_keeps_nothing(app, world, client, monkeypatch, object_store_server):
    from app.modules.applications import operations as applications
    from app.modules.applications.models import Attachment

    draft = applications.create_draft(world.company_a, application_data())
    closed = object_store_server.config | {"STORAGE_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    monkeypatch.setitem(app.extensions, "essc_storage", S3Storage(dict(app.config) | closed))
    auth = bearer(world.company_a)
    files = {"kind": "test_info_sheet", "file": (io.BytesIO(PDF), "a.pdf")}
    refused = client.post(f"/api/v1/applications/{draft.id}/attachments", data=files, headers=auth)
    assert refused.status_code == 503 and refused.json["error"]["code"] == "storage_unavailable"
    assert db.session.query(Attachment).count() == 0
    assert not any(p.name.endswith(".part") for p in storage().spool_folder("uploads").iterdir())
    with pytest.raises(StorageUnavailable):
        storage().check()


def test_a_store_that_refuses_the_credentials_is_unavailable_not_a_crash(app, object_store_server):
    refused = S3Storage(dict(app.config) | object_store_server.config | {"STORAGE_SECRET_ACCESS_KEY": "not-the-secret"})
    with pytest.raises(StorageUnavailable):
        refused.put_bytes("uploads", "x", b"x")
    with pytest.raises(StorageUnavailable):
        list(refused.names("uploads"))


def test_a_file_spooled_on_another_file_system_is_copied_into_place(tmp_path, monkeypatch):
    store = LocalStorage({"uploads": str(tmp_path / "u")})
    source = tmp_path / "elsewhere.part"
    source.write_bytes(b"content")
    real_replace, calls = os.replace, []

    def cross_device(src, dst):
        calls.append(src)
        if len(calls) == 1:
            raise OSError(18, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", cross_device)
    store.put_file("uploads", "moved", source)
    assert store.get_bytes("uploads", "moved") == b"content" and len(calls) == 2 and not source.exists()
