"""What the gateway check needs to know about a key, kept per worker (C2.1, issue 17).

A decision holds the key's state, its channel's serving state and the services the channel may use now (granted,
active, not suspended for an incident), and the key's secret, unsealed once. Each worker keeps the decisions of the
keys it has seen and reads all of them again, in three statements whatever their number, when they are older than
GATEWAY_CACHE_SECONDS: a suspension, revocation, service suspension or exit recorded on any instance is refused
everywhere within that bound. A key not seen for IDLE_SECONDS is dropped with its secret.

Last-use times are gathered here too and written at most once per GATEWAY_LAST_USE_SECONDS, in one statement.
"""

import atexit
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Flask, current_app

from app.core.enums import KeyEnvironment, KeyStatus
from app.core.metrics import GATEWAY_CACHE_AGE
from app.extensions import db
from app.modules.channels.models import Channel, Service, channel_service
from app.modules.channels.rules import servable, serving
from app.modules.key_issuance.models import ChannelKey
from app.modules.key_issuance.operations import key_secret

IDLE_SECONDS = 600

# Registered by the incidents domain (C5.5): `blocked(channel_ids) -> {channel_id: set of service codes}`, the
# services suspended for an incident; the gateway imports nothing of it.
_SERVICE_BLOCKS: list = []


def register_service_block(blocked) -> None:
    if blocked not in _SERVICE_BLOCKS:
        _SERVICE_BLOCKS.append(blocked)


def blocked_services(channel_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for blocked in _SERVICE_BLOCKS:
        for channel_id, codes in blocked(channel_ids).items():
            found.setdefault(channel_id, set()).update(codes)
    return found


@dataclass(frozen=True)
class Decision:
    key_pk: int
    key_id: str
    channel_id: int
    channel_number: str
    environment: KeyEnvironment
    status: KeyStatus
    valid_until: datetime | None
    serving: bool
    services: frozenset[str]  # what the channel may use now (C2.1, C5.5)
    secret: bytes = field(repr=False)


def _keys(key_ids: list[str]):
    key, channel = ChannelKey, Channel
    return db.session.execute(
        sa.select(
            key.id,
            key.key_id,
            key.channel_id,
            key.environment,
            key.status,
            key.valid_until,
            key.secret_ciphertext,
            key.wrapped_data_key,
            key.master_key_id,
            channel.channel_number,
            channel.status.label("channel_status"),
            channel.serving_in_transition,
        )
        .join(channel, channel.id == key.channel_id)
        .where(key.key_id.in_(key_ids))
    ).all()


def _granted(channel_ids: list[int]) -> dict[int, set[str]]:
    rows = db.session.execute(
        sa.select(channel_service.c.channel_id, Service.code)
        .join(Service, Service.code == channel_service.c.service_code)
        .where(channel_service.c.channel_id.in_(channel_ids), Service.active.is_(True))
    )
    granted: dict[int, set[str]] = {}
    for channel_id, code in rows:
        granted.setdefault(channel_id, set()).add(code)
    return granted


def read_decisions(key_ids: list[str], secrets: dict[str, bytes]) -> dict[str, Decision]:
    """The decisions of these keys as recorded now; `secrets` holds the secrets already unsealed (by key id)."""
    rows = _keys(key_ids)
    channel_ids = sorted({row.channel_id for row in rows})
    granted = _granted(channel_ids) if channel_ids else {}
    blocked = blocked_services(channel_ids) if channel_ids else {}
    decisions = {}
    for row in rows:
        if row.status == KeyStatus.destroyed or not row.secret_ciphertext:
            continue  # destroyed, or wiped at exit (C6.5): unknown from now on
        secret = secrets.get(row.key_id) or key_secret(row)  # the row has the key's sealed columns
        serving_now = serving(
            SimpleNamespace(status=row.channel_status, serving_in_transition=row.serving_in_transition)
        )
        services = servable(serving_now, granted.get(row.channel_id, set())) - blocked.get(row.channel_id, set())
        decisions[row.key_id] = Decision(
            row.id,
            row.key_id,
            row.channel_id,
            row.channel_number or "",
            KeyEnvironment(row.environment),
            KeyStatus(row.status),
            row.valid_until,
            serving_now,
            frozenset(services),
            secret,
        )
    return decisions


class DecisionCache:
    """One per app and process; threads share it."""

    def __init__(self, app: Flask):
        self.app = app
        self.lock = threading.Lock()
        self.decisions: dict[str, Decision] = {}
        self.seen: dict[str, float] = {}  # key id -> monotonic time of its last request
        self.read_at = 0.0
        self.used: dict[str, datetime] = {}  # key id -> last use, not yet written
        self.written_at = time.monotonic()

    def decision(self, key_id: str) -> Decision | None:
        now = time.monotonic()
        if self._stale(now):
            with self.lock:  # one thread reads for all; the others wait for the fresh decisions
                if self._stale(now):
                    self._read_all(now)
        decision = self.decisions.get(key_id)
        if decision is None:  # a key this worker has not seen: read alone, outside the lock
            decision = read_decisions([key_id], {}).get(key_id)
            if decision is not None:
                self.decisions[key_id] = decision
            GATEWAY_CACHE_AGE.observe(0)
        else:
            GATEWAY_CACHE_AGE.observe(max(0.0, now - self.read_at))
        self.seen[key_id] = now
        return decision

    def _stale(self, now: float) -> bool:
        bound = self.app.config["GATEWAY_CACHE_SECONDS"]
        return bound <= 0 or now - self.read_at >= bound

    def _read_all(self, now: float) -> None:
        idle = [key_id for key_id, at in self.seen.items() if now - at > IDLE_SECONDS]
        for key_id in idle:
            self.seen.pop(key_id, None)
            self.decisions.pop(key_id, None)
        known = sorted(self.decisions)
        secrets = {key_id: decision.secret for key_id, decision in self.decisions.items()}
        self.decisions = read_decisions(known, secrets) if known else {}
        self.read_at = now

    def used_now(self, key_id: str, at: datetime) -> None:
        """Gather a key's last use; every GATEWAY_LAST_USE_SECONDS the gathered times are written in one statement."""
        self.used[key_id] = at
        if time.monotonic() - self.written_at >= self.app.config["GATEWAY_LAST_USE_SECONDS"]:
            self.write_last_use()

    def write_last_use(self) -> None:
        with self.lock:
            used, self.used, self.written_at = self.used, {}, time.monotonic()
        if not used:
            return
        table = ChannelKey.__table__
        statement = (
            table.update()
            .where(table.c.key_id == sa.bindparam("k"))
            .where(sa.or_(table.c.last_used_at.is_(None), table.c.last_used_at < sa.bindparam("t")))
            .values(last_used_at=sa.bindparam("t"))
        )
        db.session.execute(statement, [{"k": key_id, "t": at} for key_id, at in used.items()])
        db.session.commit()  # called before the view: the request has nothing else to commit yet


def decision_cache() -> DecisionCache:
    app = current_app._get_current_object()
    cache = app.extensions.get("essc_gateway")
    if cache is None:
        cache = app.extensions.setdefault("essc_gateway", DecisionCache(app))
        atexit.register(_write_at_exit, weakref.ref(app))
    return cache


def _write_at_exit(app_ref) -> None:
    """A worker that stops writes the last uses it gathered (a crash loses at most GATEWAY_LAST_USE_SECONDS)."""
    app = app_ref()
    cache = app.extensions.get("essc_gateway") if app is not None else None
    if cache is None or not cache.used:
        return
    with app.app_context():
        cache.write_last_use()
