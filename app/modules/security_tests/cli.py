"""`flask security-tests check-expiry`: the daily C5.3 check (the scheduler of issue 7 will call the same function)."""

from datetime import date

import click
from flask.cli import with_appcontext

from app.core.timeutil import today
from app.modules.security_tests.jobs import check_report_expiry

security_tests_cli = click.Group("security-tests", help="Security testing (C5.3).")


@security_tests_cli.command("check-expiry")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Check as of this day (default today).")
@with_appcontext
def check_expiry(on):
    day: date = on.date() if on else today()
    counts = check_report_expiry(day)
    click.echo(f"{day}: {counts['expiring']} expiring, {counts['overdue']} overdue (new flags only)")
