"""`flask users create`: create an account from the command line (first admin, scripted set-up)."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.core.enums import Role
from app.core.errors import DomainError
from app.extensions import db
from app.modules.accounts.models import Organisation
from app.modules.accounts.operations import create_user

users_cli = click.Group("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Real name (S2).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--uscc", help="Organisation USCC, for a company user.")
@click.option("--region", help="City or province code, for a municipal or provincial reviewer.")
@click.option("--email", default="")
@click.option("--phone", default="")
@with_appcontext
def create(username, display_name, role, password, uscc, region, email, phone):
    org_id = None
    if uscc:
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.uscc == uscc.upper()))
        if org_id is None:
            raise click.ClickException(f"no organisation with USCC {uscc}")
    try:
        user = create_user(
            username, password, role, display_name, organisation_id=org_id, region_code=region, email=email, phone=phone
        )
    except DomainError as exc:
        raise click.ClickException(f"{exc.zh} / {exc.en}") from exc
    click.echo(f"created user {user.username} ({user.role})")
