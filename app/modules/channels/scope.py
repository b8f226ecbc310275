"""Who reaches a channel (C1.4): its owner, the national center, the operator and the auditor, and the municipal and
provincial centers of the regions it is granted. Registered with `app.core.jurisdiction` at start-up."""

import sqlalchemy as sa

from app.core.enums import Role
from app.core.jurisdiction import NATIONWIDE, REGIONAL, register_clause, register_scope
from app.modules.channels.models import Channel, channel_region
from app.modules.regions.models import Region


def own_or_level2_of_own(organisation_id):
    """C3.3/C3.5/C3.6: the organisation's channels, and the level-2 channels of its level-1 channels (which it reports
    for, answers for and files the exit of)."""
    parents = sa.select(Channel.id).where(Channel.owner_id == organisation_id, Channel.level == 1)
    return sa.or_(Channel.owner_id == organisation_id, Channel.parent_id.in_(parents))


def _granted_in_region(user):
    return sa.exists().where(
        channel_region.c.channel_id == Channel.id,
        channel_region.c.region_code == Region.code,
        sa.or_(Region.code == user.region_code, Region.parent_code == user.region_code),
    )


register_scope("channel", Channel)
register_clause("channel", [Role.company], lambda user: Channel.owner_id == user.organisation_id)
register_clause("channel", NATIONWIDE, lambda user: sa.true())
register_clause("channel", REGIONAL, _granted_in_region)
