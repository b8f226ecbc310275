"""`flask users create`: create an account from the command line (the first administrator, scripted set-up);
`flask users recover`: the break-glass recovery of a staff account from a host's shell."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.core import audit
from app.core.enums import Role
from app.core.errors import DomainError
from app.extensions import db
from app.modules.accounts.models import Organisation, User
from app.modules.accounts.operations import create_user, reset_password, reset_totp, unlock_user

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


@users_cli.command("recover")
@click.argument("username")
@click.option("--reason", required=True, help="why (recorded in the audit log), e.g. the ticket of the request")
@click.option("--new-password", is_flag=True, help="also set a new password (prompted)")
@with_appcontext
def recover(username, reason, new_password):
    """Break-glass recovery of a staff account, from a shell on a host (when no administrator can sign in to do it in
    the UI): unlock it, clear its second factor — it enrols again at its next sign-in — and, if asked, set a new
    password. Every step is audited with the reason."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    password = click.prompt("new password", hide_input=True, confirmation_prompt=True) if new_password else None
    try:
        unlock_user(user)
        if user.totp_enabled or user.totp_secret:
            reset_totp(user)
        if password:
            reset_password(user, password)
    except DomainError as exc:
        raise click.ClickException(f"{exc.zh} / {exc.en}") from exc
    audit.record("user.recover", user, after={"reason": reason[:200], "password_reset": bool(password)})
    db.session.commit()
    done = ", new password set" if password else ""
    click.echo(f"{username}: unlocked, second factor cleared (enrols again at next sign-in){done}")
