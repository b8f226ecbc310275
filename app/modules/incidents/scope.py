"""Who reaches an incident (C1.4, C3.5): the channel's owner — and, as level-1 owner, the owner of the level-2
channels' incidents (jointly liable) — and the operator, the national center and the auditor. Registered with
`app.core.jurisdiction` at start-up."""

import sqlalchemy as sa

from app.core.enums import Role
from app.core.jurisdiction import NATIONWIDE, register_clause, register_scope
from app.modules.channels.models import Channel
from app.modules.channels.scope import own_or_level2_of_own
from app.modules.incidents.models import Incident


def _of_own_channels(user):
    return sa.exists().where(Channel.id == Incident.channel_id, own_or_level2_of_own(user.organisation_id))


register_scope("incident", Incident)
register_clause("incident", NATIONWIDE, lambda user: sa.true())
register_clause("incident", [Role.company], _of_own_channels)
