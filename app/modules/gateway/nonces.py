"""A nonce is used once per key (C2.1): a second request with it is a replay.

With REDIS_URL every instance records nonces in Redis (`SET NX` with an expiry of twice the allowed clock skew, so a
nonce is remembered as long as a request carrying it could be fresh). Without it they are rows of `gateway_nonce`,
one INSERT … ON CONFLICT DO NOTHING and a commit per request, correct across workers through the unique constraint;
each worker deletes the expired rows at most once a minute.
"""

import time
from datetime import timedelta

import redis
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.core.errors import DomainError
from app.core.shared_store import shared_store
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.key_issuance.models import GatewayNonce

PURGE_SECONDS = 60
_purged = {"at": 0.0}


class NonceStoreUnavailable(DomainError):
    status = 503
    code = "nonce_store_unavailable"


def first_use(key_id: str, nonce: str) -> bool:
    """Record the nonce; False when it had been used with this key within the window."""
    window = 2 * current_app.config["GATEWAY_MAX_SKEW_SECONDS"]
    store = shared_store()
    if store is not None:
        try:
            return bool(store.set(f"essc:nonce:{key_id}:{nonce}", b"1", nx=True, ex=window))
        except redis.RedisError:
            raise NonceStoreUnavailable(
                "网关暂时无法校验请求，请稍后重试", "The gateway cannot check requests now; try again shortly"
            ) from None
    return _first_use_in_database(key_id, nonce, window)


def _first_use_in_database(key_id: str, nonce: str, window: int) -> bool:
    now = utcnow()
    if time.monotonic() - _purged["at"] >= PURGE_SECONDS:
        _purged["at"] = time.monotonic()
        db.session.execute(sa.delete(GatewayNonce).where(GatewayNonce.seen_at < now - timedelta(seconds=window)))
    insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(GatewayNonce)
    row = insert.values(key_id=key_id, nonce=nonce, seen_at=now)
    inserted = db.session.scalar(
        row.on_conflict_do_nothing(index_elements=["key_id", "nonce"]).returning(GatewayNonce.id)
    )
    db.session.commit()
    return inserted is not None
