"""Who reaches an application (C1.4): the applicant's organisation, and — once submitted — the national center, the
operator and the auditor (the reviewers of a region reach it through its review steps, registered by `reviews`). A
regional reviewer also reaches the channels of the applications in their jurisdiction."""

import sqlalchemy as sa

from app.core.enums import ApplicationStatus, Role
from app.core.jurisdiction import NATIONWIDE, REGIONAL, register_clause, register_scope, scope_filter
from app.modules.applications.models import Application, ApplicationRow
from app.modules.channels.models import Channel


def _channel_through_application(user):
    return sa.exists().where(
        ApplicationRow.channel_id == Channel.id,
        ApplicationRow.application_id == Application.id,
        scope_filter("application", user),
    )


register_scope("application", Application)
register_clause("application", [Role.company], lambda user: Application.applicant_id == user.organisation_id)
register_clause("application", NATIONWIDE, lambda user: Application.status != ApplicationStatus.draft)
register_clause("channel", REGIONAL, _channel_through_application)
