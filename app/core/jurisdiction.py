"""Object-level access in one place (C1.4): queries are filtered by the user's scope, never checked afterwards.

A company sees its own organisation's records; a municipal or provincial reviewer sees what has a step (or a grant)
in their city or province; the national center and the operator see every submitted record. Anything else is 404.
"""

import sqlalchemy as sa

from app.core.enums import ApplicationStatus, Role, Stage
from app.core.errors import NotFound
from app.extensions import db

NATIONWIDE = (Role.national_reviewer, Role.operator, Role.auditor)


def _models():
    from app.modules.applications.models import Application, ApplicationRow
    from app.modules.channels.models import Channel, channel_region
    from app.modules.regions.models import Region
    from app.modules.reviews.models import ReviewStep

    return Application, ApplicationRow, Channel, channel_region, Region, ReviewStep


def application_filter(user):
    Application, _row, _ch, _cr, _region, ReviewStep = _models()
    if user.role == Role.company:
        return Application.applicant_id == user.organisation_id
    if user.role in (Role.municipal_reviewer, Role.provincial_reviewer):
        stage = Stage.municipal if user.role == Role.municipal_reviewer else Stage.provincial
        return sa.exists().where(
            ReviewStep.application_id == Application.id,
            ReviewStep.stage == stage,
            ReviewStep.region_code == user.region_code,
        )
    if user.role in NATIONWIDE:
        return Application.status != ApplicationStatus.draft
    return sa.false()


def channel_filter(user):
    Application, ApplicationRow, Channel, channel_region, Region, _step = _models()
    if user.role == Role.company:
        return Channel.owner_id == user.organisation_id
    if user.role in NATIONWIDE:
        return sa.true()
    if user.role not in (Role.municipal_reviewer, Role.provincial_reviewer):
        return sa.false()
    granted = sa.exists().where(
        channel_region.c.channel_id == Channel.id,
        channel_region.c.region_code == Region.code,
        sa.or_(Region.code == user.region_code, Region.parent_code == user.region_code),
    )
    via_application = sa.exists().where(
        ApplicationRow.channel_id == Channel.id,
        ApplicationRow.application_id == Application.id,
        application_filter(user),
    )
    return sa.or_(granted, via_application)


def own_or_level2_of_own(organisation_id):
    """C3.3/C3.5/C3.6: the organisation's channels, and the level-2 channels of its level-1 channels (which it reports
    for, answers for and files the exit of)."""
    Channel = _models()[2]
    parents = sa.select(Channel.id).where(Channel.owner_id == organisation_id, Channel.level == 1)
    return sa.or_(Channel.owner_id == organisation_id, Channel.parent_id.in_(parents))


def visible_applications(user):
    Application = _models()[0]
    return sa.select(Application).where(application_filter(user))


def visible_channels(user):
    Channel = _models()[2]
    return sa.select(Channel).where(channel_filter(user))


def get_application(user, app_id: int):
    """The application if `user` may see it; otherwise NotFound (404, never 403: nothing leaks)."""
    Application = _models()[0]
    app = db.session.scalar(visible_applications(user).where(Application.id == app_id))
    if app is None:
        raise NotFound("申请不存在或不在您的管辖范围内", "No such application in your jurisdiction")
    return app


def get_channel(user, channel_id: int):
    Channel = _models()[2]
    channel = db.session.scalar(visible_channels(user).where(Channel.id == channel_id))
    if channel is None:
        raise NotFound("渠道不存在或不在您的管辖范围内", "No such channel in your jurisdiction")
    return channel


def review_queue(user):
    """Pending steps the user can decide: their role's stage, in their jurisdiction."""
    Application, _row, _ch, _cr, _region, ReviewStep = _models()
    from app.core.enums import StepStatus
    from app.modules.reviews.operations import STAGE_ROLE

    stages = [stage for stage, role in STAGE_ROLE.items() if role == user.role]
    query = (
        sa.select(ReviewStep)
        .join(Application)
        .where(
            ReviewStep.status == StepStatus.pending, ReviewStep.stage.in_(stages), ReviewStep.round == Application.round
        )
    )
    if user.role in (Role.municipal_reviewer, Role.provincial_reviewer):
        query = query.where(ReviewStep.region_code == user.region_code)
    return query.order_by(ReviewStep.opened_at, ReviewStep.id)
