"""Who reaches a platform notice and a channel's own notice (C1.4, C4.3, C4.4): the operator and the auditor all; a
company the platform notices sent to its channels and its own channel notices. Registered with
`app.core.jurisdiction` at start-up."""

import sqlalchemy as sa

from app.core.enums import Role
from app.core.jurisdiction import register_clause, register_scope
from app.modules.notices.models import ChannelNotice, NoticeRecipient, PlatformNotice

OVERSIGHT = (Role.operator, Role.auditor)


def _sent_to_own_channels(user):
    return sa.exists().where(
        NoticeRecipient.notice_id == PlatformNotice.id, NoticeRecipient.organisation_id == user.organisation_id
    )


register_scope("platform_notice", PlatformNotice)
register_clause("platform_notice", OVERSIGHT, lambda user: sa.true())
register_clause("platform_notice", [Role.company], _sent_to_own_channels)
register_scope("channel_notice", ChannelNotice)
register_clause("channel_notice", OVERSIGHT, lambda user: sa.true())
register_clause("channel_notice", [Role.company], lambda user: ChannelNotice.organisation_id == user.organisation_id)
