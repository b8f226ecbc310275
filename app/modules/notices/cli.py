import click
from flask.cli import AppGroup

from app.modules.notices.operations import send_reminders

notices_cli = AppGroup("notices", help="Platform notices (C4.3).")


@notices_cli.command("remind")
def remind_command():
    """Send the reminders that are due (each unacknowledged channel once, after NOTICE_REMINDER_HOURS)."""
    click.echo(f"reminders sent: {send_reminders()}")
