"""The messaging domain's scheduled work (registered with `app.core.jobs`): e-mail and SMS deliveries every minute
(S1)."""

from app.core.i18n import register_codes
from app.core.jobs import register_interval
from app.modules.messaging.delivery import deliver_pending


def deliveries() -> dict:
    return deliver_pending(200)


register_interval("deliveries", deliveries, minutes=1)

register_codes(
    "job",
    {
        "deliveries": ("邮件和短信重发", "E-mail and SMS retries"),
    },
)
