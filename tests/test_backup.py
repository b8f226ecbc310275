"""Backups (S7): a backup restores into a fresh database identical table by table (row counts and checksums), with
the uploads; the key store is kept out of it (backed up apart, under its own passphrase) unless asked for explicitly;
a wrong passphrase or an altered file is refused; a non-empty target is refused."""

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.core.storage import S3Storage, storage
from app.extensions import db
from app.modules.backups.crypto import BackupCorrupt
from app.modules.backups.operations import (
    RestoreRefused,
    create_backup,
    create_key_backup,
    restore_backup,
    restore_key_backup,
    table_fingerprints,
)
from tests.conftest import file_application

pytestmark = pytest.mark.commits  # real commits from several connections or processes

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def fresh_database(app, tmp_path):
    """An empty database of the same kind as the test database."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{url.database}_restore"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_s7_backup_restores_to_an_identical_database(app, world, tmp_path, fresh_database):
    file_application(world.company_a)
    db.session.commit()
    backup = Path(create_backup(str(tmp_path / "out"), PASSPHRASE))
    source = table_fingerprints(db.engine)
    manifest = restore_backup(str(backup), PASSPHRASE, fresh_database, str(tmp_path / "up"), str(tmp_path / "keys"))
    restored_engine = sa.create_engine(fresh_database)
    try:
        assert table_fingerprints(restored_engine) == source == manifest["tables"]
    finally:
        restored_engine.dispose()
    assert source["application"]["rows"] == 1 and source["audit_entry"]["rows"] > 5
    assert len(list((tmp_path / "up").iterdir())) == 1
    assert manifest["keys"] == [] and not (tmp_path / "keys").exists()  # the master key is not beside the data
    assert PASSPHRASE.encode() not in backup.read_bytes() and b"audit_entry" not in backup.read_bytes()


def test_s7_keys_are_backed_up_apart_and_bundled_only_when_asked(app, world, tmp_path, fresh_database):
    keys = Path(app.config["KEYS_DIR"])
    key_backup = create_key_backup(str(tmp_path / "keys-out"), "another long passphrase")
    restored = restore_key_backup(str(key_backup), "another long passphrase", str(tmp_path / "k"))
    assert "master.key" in restored["keys"]
    assert (tmp_path / "k" / "master.key").read_bytes() == (keys / "master.key").read_bytes()
    bundled = Path(create_backup(str(tmp_path / "out"), PASSPHRASE, include_keys=True))
    manifest = restore_backup(str(bundled), PASSPHRASE, fresh_database, str(tmp_path / "up"), str(tmp_path / "k2"))
    assert "master.key" in manifest["keys"] and (tmp_path / "k2" / "master.key").exists()


def test_s7_wrong_passphrase_and_altered_backup_are_refused(app, world, tmp_path, fresh_database):
    backup = Path(create_backup(str(tmp_path / "out"), PASSPHRASE))
    with pytest.raises(BackupCorrupt):
        restore_backup(str(backup), "not the passphrase", fresh_database, str(tmp_path / "u"), str(tmp_path / "k"))
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    with pytest.raises(BackupCorrupt):
        restore_backup(str(backup), PASSPHRASE, fresh_database, str(tmp_path / "u"), str(tmp_path / "k"))


def test_s7_restore_refuses_a_database_that_is_not_empty(app, world, tmp_path):
    backup = Path(create_backup(str(tmp_path / "out"), PASSPHRASE))
    with pytest.raises(RestoreRefused):
        restore_backup(
            str(backup), PASSPHRASE, app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "u"), str(tmp_path / "k")
        )


def test_s7_backup_cli(app, world, tmp_path, monkeypatch, fresh_database):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    runner = app.test_cli_runner()
    created = runner.invoke(args=["backup", "create", "--output", str(tmp_path / "out")])
    assert created.exit_code == 0, created.output
    restored = runner.invoke(
        args=[
            "backup",
            "restore",
            created.output.splitlines()[0],
            "--database-url",
            fresh_database,
            "--uploads",
            str(tmp_path / "u"),
            "--keys",
            str(tmp_path / "k"),
        ]
    )
    assert restored.exit_code == 0 and "every table checksum matches" in restored.output


def test_s7_key_backup_cli_needs_its_own_passphrase(app, world, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("KEY_BACKUP_PASSPHRASE", PASSPHRASE)
    runner = app.test_cli_runner()
    same = runner.invoke(args=["backup", "keys", "--output", str(tmp_path / "k")])
    assert same.exit_code != 0 and "passphrase of its own" in same.output
    monkeypatch.setenv("KEY_BACKUP_PASSPHRASE", "a different key passphrase")
    created = runner.invoke(args=["backup", "keys", "--output", str(tmp_path / "k")])
    assert created.exit_code == 0, created.output
    restored = runner.invoke(args=["backup", "restore-keys", created.output.strip(), "--keys", str(tmp_path / "r")])
    assert restored.exit_code == 0 and (tmp_path / "r" / "master.key").exists()


def test_s7_a_backup_of_the_object_store_goes_to_its_backups_area_and_restores_into_another_bucket(
    app, world, tmp_path, monkeypatch, fresh_database, object_store_server
):
    """Issue 26: the uploads in the object store are in the backup (streamed), the backup itself is kept in the
    store's backups area, listed by `flask backup list`, and restored by name into another, empty bucket."""
    for name, value in (object_store_server.config | {"STORAGE_URL": f"s3://essc/b-{os.getpid()}"}).items():
        monkeypatch.setitem(app.config, name, value)  # this deployment keeps its files in the object store
    monkeypatch.delitem(app.extensions, "essc_storage", raising=False)
    s3 = storage()
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    file_application(world.company_a)  # its attachment goes to the object store
    db.session.commit()
    uploads = list(s3.names("uploads"))
    runner = app.test_cli_runner()
    created = runner.invoke(args=["backup", "create"])
    assert created.exit_code == 0, created.output
    name = created.output.splitlines()[0].rsplit("/", 1)[1]
    assert created.output.startswith(s3.location("backups"))
    assert runner.invoke(args=["backup", "list"]).output.split() == [name]
    missing = runner.invoke(args=["backup", "restore", "no-such-backup.essc", "--database-url", fresh_database])
    assert missing.exit_code != 0 and "no backup" in missing.output
    object_store_server.create_bucket("restored")
    restored = runner.invoke(
        args=["backup", "restore", name, "--database-url", fresh_database, "--storage-url", "s3://restored/essc"]
    )
    assert restored.exit_code == 0, restored.output
    target = S3Storage(dict(app.config) | {"STORAGE_URL": "s3://restored/essc"})
    assert len(uploads) == 1 and list(target.names("uploads")) == uploads
    assert target.get_bytes("uploads", uploads[0]) == s3.get_bytes("uploads", uploads[0])
