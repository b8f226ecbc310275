"""Lockout (S11, ASVS 6): 5 failures lock for 15 minutes, then the account opens by itself; denials are audited;
unknown user and wrong password cost the same work."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import timeutil
from app.core.audit import AuditEntry
from app.core.enums import Role
from app.extensions import db
from app.modules.accounts import operations as ops
from tests.conftest import PASSWORD, login


def fail(username, times):
    for _ in range(times):
        with pytest.raises(ops.LoginFailed):
            ops.authenticate(username, "wrong-password")


def test_s11_lockout_lasts_fifteen_minutes(world, app):
    fail("company_a", app.config["LOGIN_MAX_FAILURES"])
    with pytest.raises(ops.LoginFailed):
        ops.authenticate("company_a", PASSWORD)
    timeutil.freeze(timeutil.utcnow() + timedelta(minutes=app.config["LOCKOUT_MINUTES"], seconds=1))
    assert ops.authenticate("company_a", PASSWORD).id == world.company_a.id


def test_s11_four_failures_do_not_lock(world, app):
    fail("company_a", app.config["LOGIN_MAX_FAILURES"] - 1)
    assert ops.authenticate("company_a", PASSWORD)


def test_s11_lockout_from_the_same_address_keeps_the_session_elsewhere(world, client, app):
    """Failures lock their own address out; they no longer end the owner's sessions (no remote denial of service)."""
    login(client, "company_a")
    fail("company_a", app.config["LOGIN_MAX_FAILURES"])
    assert client.get("/").status_code == 200


def test_unknown_user_and_wrong_password_take_similar_time(world, app):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:60000"
    try:
        from tests.conftest import World

        World.user("timed", Role.company, organisation_id=world.org_a.id)

        def measure(username):
            start = time.perf_counter()
            for _ in range(5):
                with pytest.raises(ops.LoginFailed):
                    ops.authenticate(username, "wrong-password")
                db.session.rollback()
            return time.perf_counter() - start

        measure("no-such-user")  # the first unknown-user attempt also builds the dummy hash once per process
        # best of three for each side, so that a busy machine does not decide the ratio
        unknown = min(measure("no-such-user") for _ in range(3))
        wrong = min(measure("timed") for _ in range(3))
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    assert 0.5 < unknown / wrong < 2.0, (unknown, wrong)


def test_denied_requests_are_audited(world, client):
    login(client, "company_a")
    assert client.get("/admin/users").status_code == 403
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "access.denied"))
    assert entry.outcome == "denied" and entry.actor_id == world.company_a.id
    assert entry.object_id == "accounts.list_users"


def test_password_kdf_default_meets_asvs():
    from config import Config

    method, n, r, _p = Config.PASSWORD_HASH_METHOD.split(":")
    assert method == "scrypt" and int(n) >= 2**17 and int(r) >= 8
