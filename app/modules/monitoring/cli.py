"""`flask monitoring …`: run a month's evaluation by hand (C4.9, C4.10), the daily checks, and the scheduler."""

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.core.errors import RuleViolation
from app.core.i18n import current_locale
from app.core.jobs import daily_checks
from app.core.permissions import P, may
from app.core.scheduler import run_scheduler
from app.core.timeutil import today
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.monitoring.evaluation import evaluate
from app.modules.monitoring.imports import ImportRefused, import_statistics_file
from app.modules.monitoring.rules import evaluable_month

monitoring_cli = AppGroup("monitoring", help="Monthly monitoring (C3.6, C4.7–C4.11) and the scheduled jobs.")


def _month(text: str):
    try:
        return evaluable_month(text, today())
    except RuleViolation as exc:
        raise click.BadParameter(exc.en, param_hint="--month") from exc


@monitoring_cli.command("run")
@click.option("--month", "month_text", required=True, help="the finished month to evaluate, YYYY-MM")
@click.option("--dry-run", is_flag=True, help="show what would fire without writing anything")
def run_command(month_text: str, dry_run: bool) -> None:
    """Evaluate every channel for one month: prints what was (or would be) created and changed, one JSON object."""
    outcome = evaluate(_month(month_text), dry_run=dry_run, trigger="cli")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    summary = {
        "month": month_text,
        "dry_run": dry_run,
        "units": outcome.units,
        "notices": outcome.notices,
        "alerts": outcome.alerts,
        "changed": len(outcome.changes),
        "statements": outcome.statements,
        "new": outcome.new,
        "changes": outcome.changes,
    }
    click.echo(json.dumps(summary, ensure_ascii=False, default=str, indent=1))


@monitoring_cli.command("daily")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="as of this day (default today)")
def daily_command(on) -> None:
    """The daily checks once: missing reports (C3.6), agreements nearing expiry and renewal (C4.11), security reports
    (C5.3), notice reminders (C4.3)."""
    click.echo(json.dumps(daily_checks(on.date() if on else today()), ensure_ascii=False, default=str))


@monitoring_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduled jobs in this process (blocking). Start exactly one per deployment: a second one waits as a
    standby until the first stops (database lock), see the README."""
    run_scheduler()


statistics_cli = AppGroup("statistics", help="Monthly statistics by file (C3.6).")


@statistics_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--operator", "username", required=True, help="the operator account the import is recorded under")
def import_command(file: Path, username: str) -> None:
    """Import a statistics CSV of any size (the upload's columns), read as a stream, all rows or none. Prints one
    JSON object; exits 1 listing every problem by line, field and reason."""
    user = db.session.scalar(sa.select(User).where(User.username == username, User.active))
    if user is None or not may(user, P.monitoring_manage):
        raise click.BadParameter(f"no active operator account {username}", param_hint="--operator")
    try:
        result = import_statistics_file(user, str(file))
    except ImportRefused as exc:
        body = {"refused": exc.message(current_locale()), "count": len(exc.problems), "problems": exc.problems}
        click.echo(json.dumps(body, ensure_ascii=False))
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
