"""Pure key rules (C5.1): the effective state of a key at a moment, and which lifecycle verbs each state allows."""

from datetime import datetime

from app.core.enums import KeyStatus

ALLOWED = {
    "rotate": {KeyStatus.active},
    "suspend": {KeyStatus.active},
    "resume": {KeyStatus.suspended},
    "revoke": {KeyStatus.active, KeyStatus.suspended},
    "destroy": {KeyStatus.revoked, KeyStatus.expired},
}


def effective_status(key, now: datetime) -> KeyStatus:
    """An active key whose validity has ended is expired, even before the daily job records it."""
    if key.status == KeyStatus.active and key.valid_until is not None and key.valid_until <= now:
        return KeyStatus.expired
    return KeyStatus(key.status)


def allowed(action: str, status: KeyStatus) -> bool:
    return status in ALLOWED[action]
