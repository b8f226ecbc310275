"""A municipal or provincial center reaches an application through a review step of its stage in its region (C1.4),
and its queue holds the pending steps it can decide."""

import sqlalchemy as sa

from app.core.enums import Stage, StepStatus
from app.core.jurisdiction import REGIONAL, register_clause
from app.core.permissions import may
from app.modules.applications.models import Application
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.rules import STAGE_PERMISSION


def stages_of(user) -> list[Stage]:
    """The stages whose steps the user decides (C2.6), from the permission table."""
    return [stage for stage, permission in STAGE_PERMISSION.items() if may(user, permission)]


def _step_in_region(user):
    return sa.exists().where(
        ReviewStep.application_id == Application.id,
        ReviewStep.stage.in_(stages_of(user)),
        ReviewStep.region_code == user.region_code,
    )


def review_queue(user):
    """Pending steps the user can decide: their role's stage, in their jurisdiction."""
    query = (
        sa.select(ReviewStep)
        .join(Application)
        .where(
            ReviewStep.status == StepStatus.pending,
            ReviewStep.stage.in_(stages_of(user)),
            ReviewStep.round == Application.round,
        )
    )
    if user.region_code is not None:  # a municipal or provincial center: its own region's steps (C1.4)
        query = query.where(ReviewStep.region_code == user.region_code)
    return query.order_by(ReviewStep.opened_at, ReviewStep.id)


register_clause("application", REGIONAL, _step_in_region)
