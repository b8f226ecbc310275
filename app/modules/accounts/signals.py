"""What happens to an account that later domains act on (the way Indico's modules connect to signals): accounts
announce, messaging (a later layer) tells the person. Receivers run in the sender's transaction."""

from blinker import Namespace

_signals = Namespace()

role_granted = _signals.signal(
    "role-granted",
    doc="S2: a role was granted to an account. Sender: the user; `admin`: who granted it; `jurisdiction`: its text.",
)
role_withdrawn = _signals.signal(
    "role-withdrawn",
    doc="S2: an account's role was withdrawn. Sender: the user; `admin`, `role` (the withdrawn one), `reason`.",
)
organisation_category_changed = _signals.signal(
    "organisation-category-changed",
    doc="C1.2: an organisation's kind was changed after review. Sender: the organisation. Receivers return the "
    "numbers of the channels that followed it.",
)
