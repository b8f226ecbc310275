"""`flask demo load`: one account per role, organisations, and channels in several states (idempotent)."""

import click
from flask.cli import with_appcontext

demo_cli = click.Group("demo", help="Demo data.")


@demo_cli.command("load")
@with_appcontext
def load():
    from app.modules.demo.data import load_demo

    created = load_demo()
    if not created:
        click.echo("demo data already present")
    from app.modules.demo.data import print_logins

    print_logins(click.echo)
