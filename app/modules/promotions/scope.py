"""Who reaches a promotion filing (C1.4, C4.5): its organisation, the operator and the auditor; the national center
those using HR&SS publicity wording (its review); a provincial center those of them by channels serving its province.
Registered with `app.core.jurisdiction` at start-up."""

import sqlalchemy as sa

from app.core.enums import Role
from app.core.jurisdiction import register_clause, register_scope
from app.modules.channels.models import channel_region
from app.modules.promotions.models import Promotion
from app.modules.regions.models import Region


def provinces_of(channel_id):
    """The provinces of a channel's granted regions, as a subquery."""
    return (
        sa.select(sa.func.coalesce(Region.parent_code, Region.code))
        .join(channel_region, channel_region.c.region_code == Region.code)
        .where(channel_region.c.channel_id == channel_id)
    )


def _in_province(user):
    return sa.and_(Promotion.uses_hrss_wording, sa.literal(user.region_code).in_(provinces_of(Promotion.channel_id)))


register_scope("promotion", Promotion)
register_clause("promotion", [Role.company], lambda user: Promotion.organisation_id == user.organisation_id)
register_clause("promotion", [Role.operator, Role.auditor], lambda user: sa.true())
register_clause("promotion", [Role.national_reviewer], lambda user: Promotion.uses_hrss_wording)
register_clause("promotion", [Role.provincial_reviewer], _in_province)
