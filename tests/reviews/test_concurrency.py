"""Two reviewers deciding the same step at once: exactly one wins (C2.10). Runs on SQLite and on PostgreSQL; CI runs
the suite on PostgreSQL with TEST_DATABASE_URL, where the application row lock is what serialises them."""

import threading

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry, verify_chain
from app.core.enums import Role, Stage, StepStatus
from app.core.errors import Conflict
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.applications import operations as ops
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.operations import decide_step
from tests.conftest import World, application_data, attach_sheet, file_application

pytestmark = pytest.mark.commits  # real commits from several connections or processes


def race(app, user_ids, action):
    """Run `action(user)` for each user in its own thread, app context and database connection, all at once."""
    barrier = threading.Barrier(len(user_ids))
    outcomes = {}

    def worker(user_id):
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                action(user)
                outcomes[user_id] = "won"
            except Conflict as exc:
                outcomes[user_id] = exc.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_c2_10_two_reviewers_deciding_the_same_step_exactly_one_wins(app, world):
    second = World.user("jinan2", Role.municipal_reviewer, region_code="370100")
    application = file_application(world.company_a)
    step_id = db.session.scalar(sa.select(ReviewStep.id).where(ReviewStep.stage == Stage.municipal))
    db.session.commit()
    outcomes = race(
        app,
        [world.jinan.id, second.id],
        lambda user: decide_step(user, step_id, True, f"{user.username} 同意", user.username, "13800000000"),
    )
    assert sorted(outcomes.values()) == ["already_decided", "won"]
    db.session.expire_all()
    step = db.session.get(ReviewStep, step_id)
    winner = next(uid for uid, outcome in outcomes.items() if outcome == "won")
    assert step.status == StepStatus.approved and step.reviewer_id == winner
    decisions = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "review.approved")).all()
    assert len(decisions) == 1
    provincial = db.session.scalars(
        sa.select(ReviewStep).where(ReviewStep.application_id == application.id, ReviewStep.stage == Stage.provincial)
    ).all()
    assert [s.status for s in provincial] == [StepStatus.pending]
    assert verify_chain().first_bad is None  # concurrent writers still form one unbroken audit chain


def test_double_submit_at_once_submits_once(app, world):
    draft = ops.create_draft(world.company_a, application_data())
    attach_sheet(world.company_a, draft)
    second = World.user("company_a2", Role.company, organisation_id=world.org_a.id)
    draft_id = draft.id
    db.session.commit()

    def submit(user):
        ops.submit(user, db.session.get(type(draft), draft_id))

    outcomes = race(app, [world.company_a.id, second.id], submit)
    assert sorted(outcomes.values()) == ["already_submitted", "won"]
    db.session.expire_all()
    assert db.session.get(type(draft), draft_id).round == 1
    assert db.session.scalar(sa.select(sa.func.count(ReviewStep.id))) == 4
