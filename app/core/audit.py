"""The audit log (S4): who changed what, when, how, with the state before and after — tamper-evident.

`record()` adds the entry to the current session, so it commits or rolls back together with the change it describes.
Each entry is chained: entry_hash = HMAC(chain key, prev_hash ‖ canonical core). The core holds no personal data; the
personal details (actor name, IP, before/after) are committed to by `details_digest`, so they can be redacted at a
channel's exit (C6.5) without breaking the chain. The table is append-only (database triggers, see audit_triggers).
The chain key lives in keys/ (audit-chain.key), apart from the database.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from app.core.crypto import load_key
from app.core.timeutil import utcnow
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = {"comment": "Append-only change log (S4). One row per state change."}

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True, comment="position in the hash chain")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True, comment="UTC")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(64), default="system")
    actor_role: Mapped[str | None] = mapped_column(sa.String(32))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32), index=True)
    object_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16), default="success", comment="success, denied")
    before: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    after: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    details_digest: Mapped[str] = mapped_column(
        sa.String(64), comment="HMAC of actor name, IP, before and after: these may be redacted, the digest stays"
    )
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64), comment="HMAC over prev_hash and the canonical core")
    redacted_at: Mapped[datetime | None] = mapped_column(comment="personal details removed (C6.5); chain intact")
    request_id: Mapped[str | None] = mapped_column(
        sa.String(64), index=True, comment="X-Request-Id of the request that recorded it (its log lines carry it)"
    )


class AuditHead(db.Model):
    """The head of the audit hash chain: one row, updated under its row lock by every new entry."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    hash: Mapped[str] = mapped_column(sa.String(64))


GENESIS = "0" * 64
CORE_FIELDS = ("seq", "at", "actor_id", "actor_role", "action", "object_type", "object_id", "outcome", "details_digest")


def _canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _mac(payload: bytes) -> str:
    return hmac.new(load_key("audit_chain"), payload, hashlib.sha256).hexdigest()


def details_digest(entry: AuditEntry) -> str:
    """Commit to the redactable details (personal data) without putting them in the chained core (C6.5)."""
    return _mac(
        _canonical({"actor_name": entry.actor_name, "ip": entry.ip, "before": entry.before, "after": entry.after})
    )


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    core = {name: getattr(entry, name) for name in CORE_FIELDS}
    core["at"] = entry.at.isoformat(timespec="microseconds")
    if entry.request_id is not None:  # chained too, when there is one (entries before it had none)
        core["request_id"] = entry.request_id
    return _mac(prev_hash.encode() + _canonical(core))


def _request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _actor():
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user
    return None


def _link(entry: AuditEntry) -> None:
    """Append `entry` to the hash chain. Taking the head row's lock serialises writers until commit."""
    seq, prev = db.session.execute(
        sa.update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one()
    entry.seq, entry.prev_hash = seq, prev
    entry.details_digest = details_digest(entry)
    entry.entry_hash = entry_hash(entry, prev)
    db.session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(hash=entry.entry_hash))


def record(
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    outcome: str = "success",
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditEntry:
    """Add an audit entry for `obj` (a persisted model instance) in the current transaction."""
    actor = actor or _actor()
    if obj is not None:
        db.session.flush()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "system"),
        actor_role=str(actor.role) if actor is not None else None,
        ip=request.remote_addr if has_request_context() else None,
        action=action,
        object_type=object_type or obj.__tablename__,
        object_id=object_id or "/".join(str(v) for v in sa.inspect(obj).identity),
        outcome=outcome,
        before=before,
        after=after,
        request_id=_request_id(),
    )
    _link(entry)
    db.session.add(entry)
    return entry


def record_batch(action: str, object_type: str, items: list[tuple[str, dict | None, dict | None]], actor) -> None:
    """One entry per (object id, before, after), appended to the chain in one go: the head is taken once, the hashes
    are computed in order and the entries written with one statement — what `record` would give entry by entry, for
    the writes of an import (set-based)."""
    if not items:
        return
    db.session.flush()
    last, prev = db.session.execute(
        sa.update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + len(items))
        .returning(AuditHead.seq, AuditHead.hash)
    ).one()
    rows, at = [], utcnow()
    for seq, (object_id, before, after) in enumerate(items, last - len(items) + 1):
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "username", "system"),
            actor_role=str(actor.role) if actor is not None else None,
            ip=request.remote_addr if has_request_context() else None,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome="success",
            before=before,
            after=after,
            prev_hash=prev,
            request_id=_request_id(),
        )
        entry.details_digest = details_digest(entry)
        entry.entry_hash = prev = entry_hash(entry, prev)
        rows.append(
            {
                c: getattr(entry, c)
                for c in (*CORE_FIELDS, "actor_name", "ip", "before", "after", "prev_hash", "entry_hash", "request_id")
            }
        )
    db.session.execute(sa.insert(AuditEntry), rows)
    db.session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(hash=prev))


@dataclass
class Verification:
    checked: int
    first_bad: int | None = None
    reason: str = ""


def verify_chain() -> Verification:
    """Recompute the chain; name the first entry whose content, link or details do not match (S4)."""
    prev, expected_seq, checked = GENESIS, 1, 0
    query = sa.select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    entries = db.session.scalars(query)
    try:
        for entry in entries:
            checked += 1
            problem = _problem(entry, prev, expected_seq)
            if problem:
                return Verification(checked, min(entry.seq, expected_seq), problem)
            prev, expected_seq = entry.entry_hash, entry.seq + 1
    finally:
        entries.close()
    head = db.session.get(AuditHead, 1)
    if head is None or head.hash != prev or head.seq != expected_seq - 1:
        return Verification(checked, expected_seq - 1, "the chain head does not match the last entry (truncated?)")
    return Verification(checked)


def _problem(entry: AuditEntry, prev: str, expected_seq: int) -> str:
    if entry.seq != expected_seq:
        return f"entry {expected_seq} is missing"
    if entry.prev_hash != prev:
        return "link to the previous entry is broken"
    if not hmac.compare_digest(entry.entry_hash, entry_hash(entry, prev)):
        return "entry content was altered"
    if entry.redacted_at is None and not hmac.compare_digest(entry.details_digest, details_digest(entry)):
        return "entry details were altered"
    return ""
