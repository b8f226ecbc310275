"""`flask backup create` and `flask backup restore` (S7). The passphrase comes from BACKUP_PASSPHRASE or a file."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from app.modules.backups.crypto import BackupCorrupt
from app.modules.backups.operations import (
    RestoreRefused,
    create_backup,
    create_key_backup,
    list_backups,
    restore_backup,
    restore_key_backup,
    target_storage,
)

backup_cli = click.Group(
    "backup", help="Encrypted backups of the database and uploads; of the key store apart, under its own passphrase."
)


def _passphrase(path: str | None, variable: str = "BACKUP_PASSPHRASE") -> str:
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    value = os.environ.get(variable, "")
    if not value:
        raise click.ClickException(f"set {variable} or give --passphrase-file")
    return value


@backup_cli.command("create")
@click.option(
    "--output",
    help="Folder for the backup file (default: the storage's backups area, BACKUP_FOLDER or the object store).",
)
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--include-keys",
    is_flag=True,
    help="Also put the key store in this file (not recommended: keep keys apart with `flask backup keys`).",
)
@with_appcontext
def create(output, passphrase_file, include_keys):
    click.echo(create_backup(output, _passphrase(passphrase_file), include_keys=include_keys))
    if not include_keys:
        click.echo("keys are not in this backup: back them up apart with `flask backup keys`", err=True)


@backup_cli.command("keys")
@click.option("--output", default="var/key-backups", show_default=True, help="Folder for the key backup file.")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def create_keys(output, passphrase_file):
    """The key store alone, under KEY_BACKUP_PASSPHRASE (never the data backups' passphrase); keep it apart."""
    passphrase = _passphrase(passphrase_file, "KEY_BACKUP_PASSPHRASE")
    if passphrase == os.environ.get("BACKUP_PASSPHRASE"):
        raise click.ClickException("the key backup needs a passphrase of its own, not BACKUP_PASSPHRASE")
    click.echo(str(create_key_backup(output, passphrase)))


@backup_cli.command("restore-keys")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False))
@click.option("--keys", help="Folder for the key store (default: KEYS_DIR).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_keys(backup, keys, passphrase_file):
    try:
        manifest = restore_key_backup(
            backup, _passphrase(passphrase_file, "KEY_BACKUP_PASSPHRASE"), keys or current_app.config["KEYS_DIR"]
        )
    except (BackupCorrupt, RestoreRefused, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {len(manifest['keys'])} key files")


@backup_cli.command("list")
@with_appcontext
def list_command():
    """The backups in the storage's backups area, oldest first."""
    for name in list_backups():
        click.echo(name)


@backup_cli.command("restore")
@click.argument("backup")
@click.option("--database-url", required=True, help="An EMPTY database to restore into.")
@click.option("--uploads", help="A folder for the uploads (default: this deployment's storage).")
@click.option("--storage-url", help="An object store for the uploads, s3://bucket[/prefix] (this one's endpoint).")
@click.option("--keys", help="Folder for the key store (default: KEYS_DIR).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(backup, database_url, uploads, storage_url, keys, passphrase_file):
    """BACKUP is a file's path or a name listed by `flask backup list`."""
    try:
        manifest = restore_backup(
            backup,
            _passphrase(passphrase_file),
            database_url,
            target_storage(uploads, storage_url),
            keys or current_app.config["KEYS_DIR"],
        )
    except (BackupCorrupt, RestoreRefused, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    tables = manifest["tables"]
    click.echo(
        f"restored {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, "
        f"{len(manifest['uploads'])} uploads, {len(manifest['keys'])} key files; every table checksum matches"
    )
