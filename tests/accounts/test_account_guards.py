"""The guards of account administration (S2, S11): passwords, bindings, unique names, grants that change nothing,
withdrawals of nothing, tokens of accounts that may no longer act."""

import pytest
import sqlalchemy as sa

from app.core.enums import Role
from app.core.errors import Conflict, RuleViolation
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts.models import RoleGrant
from app.modules.messaging.models import Message
from tests.conftest import PASSWORD


def test_s11_a_password_shorter_than_the_minimum_is_refused(world, app):
    short = "x" * (app.config["PASSWORD_MIN_LENGTH"] - 1)
    with pytest.raises(RuleViolation) as exc:
        ops.create_user("short_pw", short, Role.operator, "某")
    assert "password" in exc.value.fields


def test_s2_a_reviewer_is_bound_to_a_jurisdiction_and_a_username_is_unique(world):
    with pytest.raises(RuleViolation) as exc:
        ops.create_user("jinan2", PASSWORD, Role.municipal_reviewer, "某")
    assert exc.value.fields == {"region_code": ["required"]}
    with pytest.raises(Conflict) as exc:
        ops.create_user("jinan", PASSWORD, Role.municipal_reviewer, "某", region_code="370100")
    assert exc.value.fields == {"username": ["duplicate"]}


def test_s2_a_grant_that_changes_nothing_records_nothing_and_withdrawing_no_role_is_refused(world):
    grants = lambda: db.session.scalar(  # noqa: E731
        sa.select(sa.func.count()).select_from(RoleGrant).where(RoleGrant.user_id == world.jinan.id)
    )
    before = grants()
    ops.grant_role(world.admin, world.jinan.id, "municipal_reviewer", "370100")
    assert grants() == before
    ops.withdraw_role(world.admin, world.jinan.id, "调岗")
    with pytest.raises(Conflict) as exc:
        ops.withdraw_role(world.admin, world.jinan.id, "再次收回")
    assert exc.value.code == "no_role"
    assert not ops.in_reach(world.operator, Role.municipal_reviewer, "370100")  # only an administrator grants


def test_s2_a_company_role_names_its_organisation_in_the_message(world):
    ops.withdraw_role(world.admin, world.company_b.id, "离职")
    ops.grant_role(world.admin, world.company_b.id, "company", organisation_id=world.org_a.id)
    told = db.session.scalars(sa.select(Message).where(Message.user_id == world.company_b.id)).all()
    assert any(world.org_a.name in m.body for m in told)


def test_s11_a_token_of_a_disabled_or_locked_account_does_not_authenticate(world):
    token = ops.create_api_token(world.company_a)
    assert ops.user_for_token(token) == world.company_a
    ops.set_active(world.company_a, False)
    assert ops.user_for_token(token) is None
    ops.set_active(world.company_a, True)  # re-enabling does not bring revoked tokens back
    assert ops.user_for_token(token) is None
    fresh = ops.create_api_token(world.company_a)
    world.company_a.locked, world.company_a.locked_until = True, None
    assert ops.user_for_token(fresh) is None
    world.company_a.locked_until = utcnow().replace(year=2000)  # a lock that has run out
    assert ops.user_for_token(fresh) == world.company_a
