"""The accounts domain's daily work (registered with `app.core.jobs`): ended sign-in sessions are deleted."""

from app.core.i18n import register_codes
from app.core.jobs import register_daily
from app.modules.accounts.operations import purge_expired_sessions

register_daily("expired_sessions", lambda on: {"deleted": purge_expired_sessions()}, order=70, claim="expired_sessions")

register_codes(
    "job",
    {
        "expired_sessions": ("清理过期会话", "Expired sessions removed"),
    },
)
