"""A municipal or provincial center reaches an application through a review step of its stage in its region (C1.4),
and its queue holds the pending steps it can decide."""

import sqlalchemy as sa

from app.core.enums import Role, Stage, StepStatus
from app.core.jurisdiction import REGIONAL, register_clause
from app.modules.applications.models import Application
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.rules import STAGE_ROLE


def _step_in_region(user):
    stage = Stage.municipal if user.role == Role.municipal_reviewer else Stage.provincial
    return sa.exists().where(
        ReviewStep.application_id == Application.id,
        ReviewStep.stage == stage,
        ReviewStep.region_code == user.region_code,
    )


def review_queue(user):
    """Pending steps the user can decide: their role's stage, in their jurisdiction."""
    stages = [stage for stage, role in STAGE_ROLE.items() if role == user.role]
    query = (
        sa.select(ReviewStep)
        .join(Application)
        .where(
            ReviewStep.status == StepStatus.pending, ReviewStep.stage.in_(stages), ReviewStep.round == Application.round
        )
    )
    if user.role in REGIONAL:
        query = query.where(ReviewStep.region_code == user.region_code)
    return query.order_by(ReviewStep.opened_at, ReviewStep.id)


register_clause("application", REGIONAL, _step_in_region)
