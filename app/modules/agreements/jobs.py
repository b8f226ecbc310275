"""The agreements domain's daily work (registered with `app.core.jobs`): expiry warnings and renewal (C4.11)."""

from app.core.i18n import register_codes
from app.core.jobs import register_daily
from app.modules.agreements.renewal import check_renewals

register_daily("renewals", check_renewals, order=40, claim="agreement_renewals")

register_codes(
    "job",
    {
        "renewals": ("协议续签检查", "Agreement renewals check"),
        "agreement_renewals": ("协议续签检查", "Agreement renewals check"),
    },
)
