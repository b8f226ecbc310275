"""C5.1 key verbs are serialised: parallel rotations of one key give one new key, a rotation in its overlap window
cannot be rotated again, and a channel never holds more than two active keys per environment (two only when a
rotation links them). Runs with real threads and connections; CI runs it on PostgreSQL."""

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import timeutil
from app.core.enums import KeyEnvironment, KeyStatus
from app.core.errors import Conflict
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.models import ChannelKey
from app.modules.key_issuance.rules import effective_status
from tests.conftest import in_parallel
from tests.key_issuance.test_issue import approved_application

pytestmark = pytest.mark.commits  # real commits from several connections or processes

PARALLEL = 20


@pytest.fixture
def issued(world):
    return ops.complete_test_intake(world.operator, approved_application(world).id)[0]


def assert_key_invariant() -> None:
    """Never more than two active keys per channel and environment, and never two without a rotation linking them."""
    db.session.expire_all()
    now = timeutil.utcnow()
    active = [k for k in db.session.scalars(sa.select(ChannelKey)) if effective_status(k, now) == KeyStatus.active]
    groups: dict = {}
    for key in active:
        groups.setdefault((key.channel_id, key.environment), []).append(key)
    for keys in groups.values():
        assert len(keys) <= 2, [k.key_id for k in keys]
        if len(keys) == 2:
            first, second = sorted(keys, key=lambda k: k.id)
            assert second.rotated_from_id == first.id


def _rotate_in_thread(app, operator_id: int, key_id: int) -> str:
    with app.app_context():
        try:
            ops.rotate_key(db.session.get(User, operator_id), db.session.get(ChannelKey, key_id))
            return "rotated"
        except Conflict as exc:
            return exc.code
        finally:
            db.session.remove()


def test_c5_1_parallel_rotations_of_one_key_give_one_new_key(app, world, issued):
    key_id, operator_id = issued.key.id, world.operator.id
    db.session.commit()
    outcomes = Counter(in_parallel(PARALLEL, lambda i: _rotate_in_thread(app, operator_id, key_id)))
    assert outcomes["rotated"] == 1, outcomes
    assert_key_invariant()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChannelKey)) == 2


def test_c5_1_a_rotation_in_its_overlap_cannot_be_rotated_again(app, world, issued):
    successor = ops.rotate_key(world.operator, issued.key)
    with pytest.raises(Conflict) as again:
        ops.rotate_key(world.operator, issued.key)
    assert again.value.code in ("rotation_overlap", "key_active")
    with pytest.raises(Conflict) as successor_again:
        ops.rotate_key(world.operator, successor.key)
    assert successor_again.value.code == "rotation_overlap"
    assert_key_invariant()
    timeutil.freeze(timeutil.utcnow() + timedelta(days=app.config["KEY_ROTATION_OVERLAP_DAYS"], seconds=1))
    third = ops.rotate_key(world.operator, successor.key)  # after the overlap the successor rotates normally
    assert third.key.rotated_from_id == successor.key.id
    assert_key_invariant()


def test_c5_1_a_second_key_is_never_issued_beside_an_active_one(world, issued):
    with pytest.raises(Conflict) as refused:
        ops.issue_key(issued.channel, KeyEnvironment.test, world.operator)
    assert refused.value.code == "key_already_active"
    assert_key_invariant()
