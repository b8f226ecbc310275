"""Backups (S7): `create_backup` writes one encrypted file holding a consistent copy of the database (pg_dump on
PostgreSQL, SQLite's online backup API on SQLite) and the uploads, with a manifest of row counts and checksums of every
table; `restore_backup` restores it into a fresh database and checks every table against the manifest.

The keys that protect the data (master key, audit-chain key, document-signing key) are NOT in the data backup
(keys/README.md: back the master key up separately from the database): whoever holds a data backup must not also hold
what decrypts the channel keys in it. `create_key_backup` writes them to a file of their own, under a passphrase of its
own, to be kept apart; `include_keys=True` (`flask backup create --include-keys`) bundles them anyway, explicitly."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.backups.crypto import decrypt_file, encrypt_file

FORMAT = 1


class RestoreRefused(Exception):
    pass


def libpq_url(url: sa.engine.URL) -> str:
    """The SQLAlchemy URL as a libpq connection string for pg_dump / pg_restore."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def table_fingerprints(engine) -> dict:
    """Row count and SHA-256 of every table's rows in primary-key order (canonical JSON of each row)."""
    meta = sa.MetaData()
    meta.reflect(engine)
    result = {}
    with engine.connect() as conn:
        for table in sorted(meta.sorted_tables, key=lambda t: t.name):
            order = list(table.primary_key.columns) or list(table.columns)
            digest, count = hashlib.sha256(), 0
            for row in conn.execute(sa.select(table).order_by(*order)):
                digest.update(json.dumps([_plain(v) for v in row], default=str).encode())
                count += 1
            result[table.name] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def _plain(value):
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def _dump_database(engine, target: Path) -> str:
    if engine.dialect.name == "postgresql":
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", libpq_url(engine.url)],
            check=True,
            capture_output=True,
        )
        return "pg_dump"
    source = sqlite3.connect(engine.url.database)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close(), copy.close()
    return "sqlite"


def _add_tree(archive: tarfile.TarFile, folder: str, name: str) -> list[str]:
    added = []
    root = Path(folder)
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
            archive.add(path, arcname=f"{name}/{path.relative_to(root)}")
            added.append(str(path.relative_to(root)))
    return added


def create_backup(output_dir: str, passphrase: str, include_keys: bool = False) -> Path:
    """The data backup: database and uploads; the key store only when `include_keys` is asked for explicitly."""
    config = current_app.config
    engine = db.engine
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = Path(output_dir) / f"essc-backup-{stamp}.essc"
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        method = _dump_database(engine, work / "database.dump")
        manifest = {
            "format": FORMAT,
            "created_at": stamp,
            "dialect": engine.dialect.name,
            "method": method,
            "revision": db.session.scalar(sa.text("SELECT version_num FROM alembic_version")),
            "tables": table_fingerprints(engine),
        }
        with tarfile.open(work / "backup.tar", "w") as archive:
            archive.add(work / "database.dump", arcname="database.dump")
            manifest["uploads"] = _add_tree(archive, config["UPLOAD_FOLDER"], "uploads")
            manifest["keys"] = _add_tree(archive, config["KEYS_DIR"], "keys") if include_keys else []
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
        _encrypt_to(work / "backup.tar", target, passphrase)
    return target


def _encrypt_to(tar: Path, target: Path, passphrase: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with open(tar, "rb") as source, open(partial, "wb") as out:
        encrypt_file(source, out, passphrase)
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def create_key_backup(output_dir: str, passphrase: str) -> Path:
    """The key store alone, encrypted under its own passphrase, to be kept apart from the data backups."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = Path(output_dir) / f"essc-keys-{stamp}.essc"
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with tarfile.open(work / "keys.tar", "w") as archive:
            manifest = {"format": FORMAT, "created_at": stamp, "kind": "keys"}
            manifest["keys"] = _add_tree(archive, current_app.config["KEYS_DIR"], "keys")
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
        _encrypt_to(work / "keys.tar", target, passphrase)
    return target


def restore_key_backup(backup: str, passphrase: str, keys_dir: str) -> dict:
    """Restore a key backup into an empty (or identical) key folder."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        manifest = _unpack(backup, passphrase, work)
        if manifest.get("kind") != "keys":
            raise RestoreRefused("this is not a key backup")
        _restore_tree(work / "x" / "keys", keys_dir)
    return manifest


def _unpack(backup: str, passphrase: str, work: Path) -> dict:
    """Decrypt a backup file into `work`/x and return its manifest (BackupCorrupt if altered or the wrong key)."""
    with open(backup, "rb") as source, open(work / "backup.tar", "wb") as out:
        decrypt_file(source, out, passphrase)
    with tarfile.open(work / "backup.tar") as archive:
        archive.extractall(work / "x", filter="data")
    return json.loads((work / "x" / "manifest.json").read_text())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def restore_backup(backup: str, passphrase: str, database_url: str, uploads_dir: str, keys_dir: str) -> dict:
    """Restore into an empty database and empty folders; return the manifest after checking every table."""
    engine = sa.create_engine(database_url)
    try:
        if sa.inspect(engine).get_table_names():
            raise RestoreRefused(f"the target database is not empty: {engine.url.render_as_string()}")
        with tempfile.TemporaryDirectory() as work:
            work = Path(work)
            manifest = _unpack(backup, passphrase, work)
            _restore_database(engine, manifest, work / "x" / "database.dump")
            _restore_tree(work / "x" / "uploads", uploads_dir)
            _restore_tree(work / "x" / "keys", keys_dir)
        mismatched = _compare(manifest["tables"], table_fingerprints(engine))
        if mismatched:
            raise RestoreRefused(f"restored tables differ from the backup: {', '.join(mismatched)}")
        return manifest
    finally:
        engine.dispose()


def _restore_database(engine, manifest: dict, dump: Path) -> None:
    if manifest["dialect"] != engine.dialect.name:
        raise RestoreRefused(f"a {manifest['dialect']} backup cannot be restored into {engine.dialect.name}")
    if manifest["method"] == "pg_dump":
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq_url(engine.url)}", str(dump)],
            check=True,
            capture_output=True,
        )
    else:
        engine.dispose()
        shutil.copyfile(dump, engine.url.database)


def _restore_tree(source: Path, target: str) -> None:
    if not source.exists():
        return
    for path in source.rglob("*"):
        if path.is_file():
            destination = Path(target) / path.relative_to(source)
            if destination.exists() and destination.read_bytes() != path.read_bytes():
                raise RestoreRefused(f"{destination} exists and differs; restore into an empty folder")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def _compare(expected: dict, actual: dict) -> list[str]:
    return sorted(name for name in set(expected) | set(actual) if expected.get(name) != actual.get(name))
