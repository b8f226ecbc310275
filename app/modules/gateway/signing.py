"""The signature scheme of the channel-facing API (C2.1). This module is also the client: copy `sign_request`.

A request carries four headers:

    X-ESSC-Key-Id      the key id handed over with the key (tk_… test, pk_… production)
    X-ESSC-Timestamp   Unix time in seconds; refused when more than 300 s from the platform's clock
    X-ESSC-Nonce       16–64 random characters [A-Za-z0-9_-], never used twice with the same key
    X-ESSC-Signature   base64 of HMAC-SM3(secret, canonical string)

The canonical string is five lines joined by "\\n": the HTTP method in capitals, the path (with the query string, if
any), the timestamp, the nonce, and the hex SHA-256 of the exact body bytes (of the empty string when there is none).
The HMAC key is the secret exactly as handed over (its ASCII bytes).
"""

import base64
import hashlib
import secrets
import time

from cryptography.hazmat.primitives import hashes, hmac


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body or b"").hexdigest()]).encode()


def signature(secret: str, message: bytes) -> str:
    mac = hmac.HMAC(secret.encode(), hashes.SM3())
    mac.update(message)
    return base64.b64encode(mac.finalize()).decode()


def sign_request(
    key_id: str,
    secret: str,
    method: str,
    path: str,
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers that authenticate one request. Usage with any HTTP client:

    headers = sign_request("pk_…", SECRET, "GET", "/api/v1/channel/status")
    requests.get("https://…/api/v1/channel/status", headers=headers)
    """
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(18)
    return {
        "X-ESSC-Key-Id": key_id,
        "X-ESSC-Timestamp": timestamp,
        "X-ESSC-Nonce": nonce,
        "X-ESSC-Signature": signature(secret, canonical(method, path, timestamp, nonce, body)),
    }
