"""Who reaches an exit (C1.4, C6.1–C6.3): the channel's owner (and the level-1 owner for its level-2 channels), the
provincial centers asked for an opinion, and the operator, the national center and the auditor. Registered with
`app.core.jurisdiction` at start-up."""

import sqlalchemy as sa

from app.core.enums import Role
from app.core.jurisdiction import NATIONWIDE, register_clause, register_scope
from app.modules.channels.models import Channel
from app.modules.channels.scope import own_or_level2_of_own
from app.modules.exits.models import Exit, ExitOpinion


def _of_own_channels(user):
    return sa.exists().where(Channel.id == Exit.channel_id, own_or_level2_of_own(user.organisation_id))


def _asked_for_an_opinion(user):
    return sa.exists().where(ExitOpinion.exit_id == Exit.id, ExitOpinion.province_code == user.region_code)


register_scope("exit", Exit)
register_clause("exit", NATIONWIDE, lambda user: sa.true())
register_clause("exit", [Role.provincial_reviewer], _asked_for_an_opinion)
register_clause("exit", [Role.company], _of_own_channels)
