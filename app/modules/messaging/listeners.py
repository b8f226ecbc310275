"""Messages about accounts (S2): accounts announce a role granted or withdrawn (`accounts/signals.py`), this tells the
person, in the same transaction."""

from app.modules.accounts import signals
from app.modules.messaging.operations import send


@signals.role_granted.connect
def tell_role_granted(user, admin, jurisdiction):
    context = {
        "admin": admin.display_name,
        "username": user.username,
        "role": user.role.title_zh,
        "jurisdiction": jurisdiction,
    }
    send("account.role_granted", context, user, user_id=user.id)


@signals.role_withdrawn.connect
def tell_role_withdrawn(user, admin, role, reason):
    context = {"admin": admin.display_name, "username": user.username, "role": role.title_zh, "reason": reason}
    send("account.role_withdrawn", context, user, user_id=user.id)
