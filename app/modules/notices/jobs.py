"""The notices domain's daily work (registered with `app.core.jobs`): reminders of unacknowledged notices (C4.3)."""

from app.core.i18n import register_codes
from app.core.jobs import register_daily
from app.modules.notices.operations import send_reminders

register_daily("notice_reminders", lambda on: {"reminders": send_reminders()}, order=60, claim="notice_reminders")

register_codes(
    "job",
    {
        "notice_reminders": ("公告确认提醒", "Notice acknowledgement reminders"),
    },
)
