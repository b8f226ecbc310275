"""C6.5: an exit's completion and its data deletion finish after a crash at any step boundary — inside the completion,
between completion and the deletion certificate, between any two deletion steps, and before the certificate is
sealed; the next daily run finishes the work and leaves nothing of the channel, exactly as an uninterrupted run.
C6.6: a level-1 exit takes its level-2 channels through the same transition, completion and deletion."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.modules.exits import deletion
from app.modules.exits import operations as ops
from app.modules.exits.jobs import exit_jobs
from app.modules.exits.models import DeletionCertificate, Exit
from app.modules.key_issuance.operations import complete_test_intake
from tests.applications.test_level2 import level2_data
from tests.exits.test_exits import _remaining, _with_data
from tests.journeys import live_channel
from tests.key_issuance.test_issue import approved_application
from tests.monitoring.test_evaluation import BANK, live


class PowerCut(Exception):
    pass


def _crash_on_call(monkeypatch, module, name: str, call: int) -> None:
    """Make `module.name` raise on its `call`-th call (1-based), as if the process died there."""
    original, calls = getattr(module, name), {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise PowerCut(f"{name} call {call}")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, crashing)


BOUNDARIES = [
    ("inside the completion", ops, "_close", 1),
    ("between completion and the certificate", deletion, "_certificate", 1),
    *[(f"after {k} deletion steps", deletion, "_run_step", k + 1) for k in range(len(deletion.STEPS))],
    ("before the certificate is sealed", deletion, "certificate_digest", 1),
]


@pytest.mark.parametrize(("where", "module", "name", "call"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_c6_5_a_crash_at_any_boundary_is_finished_by_the_next_daily_run(world, monkeypatch, where, module, name, call):
    channel, _key = live_channel(world)
    _with_data(world, channel)
    exit_ = ops.open_forced_exit(world.operator, channel.id, "reputation_damage", "证据")
    exit_id, channel_id, end = exit_.id, channel.id, exit_.transition_end
    with monkeypatch.context() as patch:
        _crash_on_call(patch, module, name, call)
        with pytest.raises(PowerCut):
            exit_jobs(end)
        db.session.rollback()
    exit_jobs(end)  # the next day's run, nothing patched
    db.session.expire_all()
    assert db.session.get(Exit, exit_id).status == "completed"
    certificate = db.session.scalar(sa.select(DeletionCertificate).where(DeletionCertificate.channel_id == channel_id))
    assert certificate is not None and certificate.completed_at is not None and certificate.sha256, where
    assert set(certificate.steps) == {"scope", *deletion.STEPS}
    assert _remaining(channel_id) == {}, where
    assert exit_jobs(end) == {"forced": 0, "completed": [], "resumed": 0}  # nothing left to do


def test_c6_6_a_level1_exit_takes_its_level2_channels_through_transition_completion_and_deletion(world):
    parent = live(world, **BANK)
    child = complete_test_intake(world.operator, approved_application(world, **level2_data(parent)).id)[0].channel
    exit_ = ops.open_forced_exit(world.operator, parent.id, "reputation_damage", "媒体报道")
    taken = db.session.scalar(sa.select(Exit).where(Exit.channel_id == child.id))
    assert (taken.cause, taken.parent_exit_id, taken.status) == ("parent_exit", exit_.id, "transition")
    assert child.status == "exiting" and taken.transition_end == exit_.transition_end
    completed = exit_jobs(exit_.transition_end)["completed"]
    assert set(completed) == {exit_.id, taken.id} and completed[0] == taken.id  # the level-2 channel closes first
    db.session.expire_all()
    assert db.session.get(type(child), child.id).status == "exited"
    for channel_id in (parent.id, child.id):
        certificate = db.session.scalar(
            sa.select(DeletionCertificate).where(DeletionCertificate.channel_id == channel_id)
        )
        assert certificate.completed_at is not None and _remaining(channel_id) == {}
