"""The incidents domain's daily work (registered with `app.core.jobs`): rectifications past their deadline escalate
(C5.5)."""

from app.core.i18n import register_codes
from app.core.jobs import register_daily
from app.modules.incidents.operations import escalate_overdue

register_daily("incident_escalation", escalate_overdue, order=10, claim="incident_escalation")

register_codes(
    "job",
    {
        "incident_escalation": ("逾期整改升级", "Overdue rectifications escalated"),
    },
)
