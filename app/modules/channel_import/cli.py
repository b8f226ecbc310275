"""`flask channels import FILE [--dry-run] --operator USERNAME`: the import of existing channels from a terminal."""

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.core.i18n import current_locale
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.channel_import import operations as ops

channels_cli = AppGroup("channels", help="Existing channels brought into the service (issue 16).")


def _operator(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username, User.active))
    if user is None:
        raise click.BadParameter(f"no active account {username}", param_hint="--operator")
    return user


@channels_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--operator", "username", required=True, help="the operator account the import is recorded under")
@click.option("--dry-run", is_flag=True, help="check the file and show what would be created, writing nothing")
def import_command(file: Path, username: str, dry_run: bool) -> None:
    """Import a ZIP of CSV files (format in the README). Prints one JSON object; exits 1 listing every problem."""
    try:
        outcome = ops.import_channels(
            _operator(username), file.read_bytes(), filename=file.name, source="cli", dry_run=dry_run
        )
    except ops.ImportRefused as exc:
        click.echo(json.dumps({"refused": exc.message(current_locale()), "problems": exc.problems}, ensure_ascii=False))
        raise SystemExit(1) from None
    except ops.DomainError as exc:
        raise click.ClickException(exc.message(current_locale())) from None
    db.session.commit()
    click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False))


@channels_cli.command("issue-keys")
@click.argument("import_id", type=int)
@click.option("--operator", "username", required=True)
def issue_keys_command(import_id: int, username: str) -> None:
    """Issue the keys of an import's channels; prints each secret once (one JSON line per key) for hand-over."""
    try:
        issued = ops.issue_keys(_operator(username), import_id)
    except ops.DomainError as exc:
        raise click.ClickException(exc.message(current_locale())) from None
    db.session.commit()
    for key in issued:
        line = {"channel_number": key.channel.channel_number, "key_id": key.key.key_id, "secret": key.secret}
        click.echo(json.dumps(line, ensure_ascii=False))
