"""`flask audit verify`: recompute the audit hash chain and name the first altered entry (S4)."""

import sys

import click
from flask.cli import with_appcontext

from app.core.audit import verify_chain

audit_cli = click.Group("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
@with_appcontext
def verify():
    result = verify_chain()
    if result.first_bad is None:
        click.echo(f"audit chain intact: {result.checked} entries")
        return
    click.echo(
        f"audit chain BROKEN at entry seq={result.first_bad}: {result.reason} ({result.checked} entries read)", err=True
    )
    sys.exit(1)
