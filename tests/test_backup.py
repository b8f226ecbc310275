"""Backups (S7): a backup restores into a fresh database identical table by table (row counts and checksums), with
the uploads and the key store; a wrong passphrase or an altered file is refused; a non-empty target is refused."""

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.extensions import db
from app.modules.backups.crypto import BackupCorrupt
from app.modules.backups.operations import RestoreRefused, create_backup, restore_backup, table_fingerprints
from tests.conftest import file_application

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
    backup = create_backup(str(tmp_path / "out"), PASSPHRASE)
    source = table_fingerprints(db.engine)
    manifest = restore_backup(str(backup), PASSPHRASE, fresh_database, str(tmp_path / "up"), str(tmp_path / "keys"))
    restored_engine = sa.create_engine(fresh_database)
    try:
        assert table_fingerprints(restored_engine) == source == manifest["tables"]
    finally:
        restored_engine.dispose()
    assert source["application"]["rows"] == 1 and source["audit_entry"]["rows"] > 5
    assert len(list((tmp_path / "up").iterdir())) == 1
    assert (tmp_path / "keys" / "master.key").read_bytes() == (
        __import__("pathlib").Path(app.config["KEYS_DIR"]) / "master.key"
    ).read_bytes()
    assert PASSPHRASE.encode() not in backup.read_bytes() and b"audit_entry" not in backup.read_bytes()


def test_s7_wrong_passphrase_and_altered_backup_are_refused(app, world, tmp_path, fresh_database):
    backup = create_backup(str(tmp_path / "out"), PASSPHRASE)
    with pytest.raises(BackupCorrupt):
        restore_backup(str(backup), "not the passphrase", fresh_database, str(tmp_path / "u"), str(tmp_path / "k"))
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    with pytest.raises(BackupCorrupt):
        restore_backup(str(backup), PASSPHRASE, fresh_database, str(tmp_path / "u"), str(tmp_path / "k"))


def test_s7_restore_refuses_a_database_that_is_not_empty(app, world, tmp_path):
    backup = create_backup(str(tmp_path / "out"), PASSPHRASE)
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
            created.output.strip(),
            "--database-url",
            fresh_database,
            "--uploads",
            str(tmp_path / "u"),
            "--keys",
            str(tmp_path / "k"),
        ]
    )
    assert restored.exit_code == 0 and "every table checksum matches" in restored.output
