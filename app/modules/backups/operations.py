"""Backups (S7): `create_backup` writes one encrypted file holding a consistent copy of the database (pg_dump on
PostgreSQL, SQLite's online backup API on SQLite) and every uploaded file in storage (a local folder or the object
store, read as streams), with a manifest of row counts and checksums of every table; the file goes to a folder given
or to the storage's `backups` area. `restore_backup` restores it into a fresh database and an empty storage and checks
every table against the manifest.

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

from app.core.storage import LocalStorage, ObjectMissing, S3Storage, spool_file, storage
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


def create_backup(output_dir: str | None, passphrase: str, include_keys: bool = False) -> str:
    """The data backup: database and uploads; the key store only when `include_keys` is asked for explicitly. Written
    to `output_dir`, or (None) to the storage's backups area; returns where it went."""
    source = current_app.config["BACKUP_DATABASE_URL"]
    engine = sa.create_engine(source) if source else db.engine
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    name = f"essc-backup-{stamp}.essc"
    try:
        return _create(engine, name, stamp, output_dir, passphrase, include_keys)
    finally:
        if source:
            engine.dispose()


def _create(engine, name: str, stamp: str, output_dir, passphrase: str, include_keys: bool) -> str:
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
            manifest["uploads"] = _add_objects(archive, storage(), "uploads")
            manifest["keys"] = _add_tree(archive, current_app.config["KEYS_DIR"], "keys") if include_keys else []
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
        if output_dir:
            target = Path(output_dir) / name
            _encrypt_to(work / "backup.tar", target, passphrase)
            return str(target)
        partial = spool_file("backups")
        try:
            _encrypt_to(work / "backup.tar", partial, passphrase)
            storage().put_file("backups", name, partial, "application/octet-stream")
        finally:
            partial.unlink(missing_ok=True)
    return f"{storage().location('backups')}/{name}"


def _add_objects(archive: tarfile.TarFile, store, area: str) -> list[str]:
    """Every file of `area`, streamed from storage into the archive (never a whole file in memory)."""
    added = []
    for name in store.names(area):
        try:
            body, size = store.open(area, name)
        except ObjectMissing:  # deleted between the listing and the read (an exit's deletion)
            continue
        with body:
            info = tarfile.TarInfo(f"{area}/{name}")
            info.size, info.mtime = size, int(utcnow().timestamp())
            archive.addfile(info, body)
        added.append(name)
    return added


def _encrypt_to(tar: Path, target: Path, passphrase: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with open(tar, "rb") as source, open(partial, "wb") as out:
        encrypt_file(source, out, passphrase)
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def list_backups() -> list[str]:
    return list(storage().names("backups"))


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


def _open_backup(backup: str):
    """A backup file by its path, or by its name in the storage's backups area."""
    if os.path.exists(backup):
        return open(backup, "rb")
    try:
        return storage().open("backups", os.path.basename(backup))[0]
    except (ObjectMissing, ValueError):
        raise RestoreRefused(f"no backup {backup}: neither a file nor in {storage().location('backups')}") from None


def _unpack(backup: str, passphrase: str, work: Path) -> dict:
    """Decrypt a backup file into `work`/x and return its manifest (BackupCorrupt if altered or the wrong key)."""
    with _open_backup(backup) as source, open(work / "backup.tar", "wb") as out:
        decrypt_file(source, out, passphrase)
    with tarfile.open(work / "backup.tar") as archive:
        archive.extractall(work / "x", filter="data")
    return json.loads((work / "x" / "manifest.json").read_text())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def target_storage(uploads_dir: str | None = None, storage_url: str | None = None):
    """Where a restore puts the uploads: a folder, another object store (this one's settings, another URL), or this
    deployment's own storage."""
    if uploads_dir:
        return LocalStorage({"uploads": uploads_dir})
    if storage_url:
        return S3Storage(dict(current_app.config) | {"STORAGE_URL": storage_url})
    return storage()


def restore_backup(backup: str, passphrase: str, database_url: str, uploads, keys_dir: str) -> dict:
    """Restore into an empty database, a storage without those files (`uploads`: a folder's path or a storage) and
    an empty key folder; return the manifest after checking every table."""
    uploads = LocalStorage({"uploads": uploads}) if isinstance(uploads, str) else uploads
    engine = sa.create_engine(database_url)
    try:
        if sa.inspect(engine).get_table_names():
            raise RestoreRefused(f"the target database is not empty: {engine.url.render_as_string()}")
        with tempfile.TemporaryDirectory() as work:
            work = Path(work)
            manifest = _unpack(backup, passphrase, work)
            _restore_database(engine, manifest, work / "x" / "database.dump")
            _restore_objects(work / "x" / "uploads", uploads, "uploads")
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


def _restore_objects(source: Path, store, area: str) -> None:
    if not source.exists():
        return
    for path in sorted(p for p in source.iterdir() if p.is_file()):
        if store.exists(area, path.name):
            if store.get_bytes(area, path.name) != path.read_bytes():
                raise RestoreRefused(f"{area}/{path.name} exists and differs; restore into an empty storage")
            continue
        copy = Path(shutil.copy(path, store.spool_folder(area) / f".{path.name}.part"))
        try:
            store.put_file(area, path.name, copy)
        finally:
            copy.unlink(missing_ok=True)


def _compare(expected: dict, actual: dict) -> list[str]:
    return sorted(name for name in set(expected) | set(actual) if expected.get(name) != actual.get(name))
