"""The CLI: `flask users create` and `flask demo load` (idempotent)."""

import sqlalchemy as sa

from app.extensions import db
from app.modules.accounts.models import User
from app.modules.applications.models import Application
from app.modules.channels.models import Channel


def test_users_create(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "weihai",
            "--name",
            "威海审核员",
            "--role",
            "municipal_reviewer",
            "--region",
            "371000",
            "--password",
            "long-password-1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.region_code).where(User.username == "weihai")) == "371000"
    bad = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "x",
            "--name",
            "x",
            "--role",
            "company",
            "--uscc",
            "91350100M000100Y43",
            "--password",
            "long-password-1",
        ]
    )
    assert bad.exit_code != 0 and "no organisation" in bad.output


def test_demo_load_creates_every_reachable_state_once(app, empty_database):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Demo logins" in first.output
    statuses = set(db.session.scalars(sa.select(Application.status)))
    assert {"draft", "in_review", "returned", "approved", "completed", "withdrawn"} <= statuses
    channel_states = {"applying", "testing", "production_review", "live", "suspended", "withdrawn"}
    assert channel_states <= set(db.session.scalars(sa.select(Channel.status)))
    from app.core.enums import Role

    assert set(Role) <= set(db.session.scalars(sa.select(User.role)))  # one account per role
    count = db.session.scalar(sa.select(sa.func.count(Application.id)))
    again = runner.invoke(args=["demo", "load"])
    assert "already present" in again.output
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == count


def test_s11_an_administrator_locked_out_without_a_second_factor_is_recovered_from_a_host(app, world, client):
    """Issue 26: `flask users recover` — the break-glass path when no administrator can sign in: unlocked, second
    factor cleared (enrols again at next sign-in), a new password if asked, every step audited with the reason."""
    from app.core.audit import AuditEntry
    from tests.conftest import PASSWORD

    admin = world.admin
    admin.locked = True
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "recover", "admin", "--reason", "工单 2026-118：手机遗失", "--new-password"],
        input="a-new-long-password\na-new-long-password\n",
    )
    assert result.exit_code == 0, result.output
    db.session.refresh(admin)
    assert not admin.locked and not admin.totp_enabled and admin.totp_secret is None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.recover"))
    assert entry.after["reason"] == "工单 2026-118：手机遗失" and entry.after["password_reset"] is True
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 200  # old one gone
    signed = client.post("/login", data={"username": "admin", "password": "a-new-long-password"})
    assert signed.status_code == 302 and "/account/mfa" in signed.headers["Location"]  # enrols again first
    assert runner.invoke(args=["users", "recover", "nobody", "--reason", "x"]).exit_code != 0
