"""What a user sees of an application's progress (S8): number, submission time, current step and handler, the
timeline of every round, the result, and the actions open to this user (asked of the same guards the operations use).
Registered as a part of the application page and of its API body (`applications/parts.py`).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.core.enums import ApplicationStatus, StepStatus
from app.core.permissions import acts_for
from app.extensions import db
from app.modules.applications.kinds import operator_actions
from app.modules.applications.parts import register_api_part, register_page_part
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.operations import decide_refusal
from app.modules.reviews.schemas import ReviewStepSchema


@dataclass
class Progress:
    current: list = field(default_factory=list)
    rounds: dict = field(default_factory=dict)
    my_steps: list = field(default_factory=list)
    can_edit: bool = False
    can_submit: bool = False
    can_withdraw: bool = False
    can_issue: bool = False
    can_verify: bool = False
    can_go_live: bool = False


def progress(app, user) -> Progress:
    steps = db.session.scalars(
        sa.select(ReviewStep)
        .where(ReviewStep.application_id == app.id)
        .order_by(ReviewStep.round.desc(), ReviewStep.id)
    ).all()
    result = Progress()
    for step in steps:
        result.rounds.setdefault(step.round, []).append(step)
    result.current = [s for s in steps if s.round == app.round and s.status == StepStatus.pending]
    result.my_steps = [s for s in result.current if decide_refusal(user, s) is None]
    own = acts_for(user, app.applicant_id)
    editable = app.status in (ApplicationStatus.draft, ApplicationStatus.returned)
    result.can_edit = result.can_submit = own and editable
    result.can_withdraw = own and app.status in (
        *(ApplicationStatus.draft, ApplicationStatus.returned),
        ApplicationStatus.in_review,
    )
    for action, allowed in operator_actions(app, user).items():  # registered by each intake kind
        setattr(result, action, allowed)
    return result


def _page_part(app, user) -> dict:
    return {"progress": progress(app, user)}


def _api_part(app, user) -> dict:
    info = progress(app, user)
    steps = [step for round_steps in info.rounds.values() for step in round_steps]
    dump = ReviewStepSchema(many=True).dump
    return {"progress": {"current_steps": dump(info.current), "steps": dump(steps)}}


register_page_part(_page_part)
register_api_part(_api_part)
