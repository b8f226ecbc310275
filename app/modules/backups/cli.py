"""`flask backup create` and `flask backup restore` (S7). The passphrase comes from BACKUP_PASSPHRASE or a file."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

backup_cli = click.Group("backup", help="Encrypted backups of the database, uploads and key store.")


def _passphrase(path: str | None) -> str:
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    value = os.environ.get("BACKUP_PASSPHRASE", "")
    if not value:
        raise click.ClickException("set BACKUP_PASSPHRASE or give --passphrase-file")
    return value


@backup_cli.command("create")
@click.option("--output", default="var/backups", show_default=True, help="Folder for the backup file.")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def create(output, passphrase_file):
    from app.modules.backups.operations import create_backup

    path = create_backup(output, _passphrase(passphrase_file))
    click.echo(str(path))


@backup_cli.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False))
@click.option("--database-url", required=True, help="An EMPTY database to restore into.")
@click.option("--uploads", help="Folder for the uploads (default: UPLOAD_FOLDER).")
@click.option("--keys", help="Folder for the key store (default: KEYS_DIR).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(backup, database_url, uploads, keys, passphrase_file):
    from app.modules.backups.crypto import BackupCorrupt
    from app.modules.backups.operations import RestoreRefused, restore_backup

    try:
        manifest = restore_backup(
            backup,
            _passphrase(passphrase_file),
            database_url,
            uploads or current_app.config["UPLOAD_FOLDER"],
            keys or current_app.config["KEYS_DIR"],
        )
    except (BackupCorrupt, RestoreRefused, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    tables = manifest["tables"]
    click.echo(
        f"restored {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, "
        f"{len(manifest['uploads'])} uploads, {len(manifest['keys'])} key files; every table checksum matches"
    )
