"""Time-based one-time passwords, RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits: what authenticator apps use).

`accept()` returns the time step a code matched, within one step of clock drift, and refuses any step at or before the
last one accepted for the account, so a code can never be used twice (S11 second factor).
"""

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import UTC
from urllib.parse import quote

from app.core.timeutil import utcnow

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def current_step() -> int:
    return int(utcnow().replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def accept(secret: str, code: str, last_step: int) -> int | None:
    """The matching step, or None when the code is wrong, too old, or already used."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == DIGITS):
        return None
    now = current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > last_step and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1&digits=6&period=30"
