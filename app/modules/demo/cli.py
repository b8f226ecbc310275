"""`flask demo load`: one account per role, organisations, and channels in several states (idempotent)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from app.modules.demo.data import current_code, load_demo, print_logins

demo_cli = click.Group("demo", help="Demo data.")


@demo_cli.command("load")
@with_appcontext
def load():
    created = load_demo()
    if not created:
        click.echo("demo data already present")

    print_logins(click.echo)


@demo_cli.command("otp")
@click.argument("username")
@with_appcontext
def otp(username):
    """Print the current one-time code of a demo staff account (refused in production)."""

    if not current_app.config.get("CREATE_MASTER_KEY"):
        raise click.ClickException("not available in production")
    try:
        click.echo(current_code(username))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
