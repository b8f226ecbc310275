"""The operator step (C2.6, C3.4): assign channel numbers, grant regions and services, issue test keys.

Channel number format (documented in the README):
  level-1: 1 + PP + C + F + NNNNN — PP the province of the granted regions ("00" when they span provinces),
           C the category digit, F the form digit, NNNNN a national serial; e.g. 1376100042.
  level-2: <level-1 number>-NNN, a serial per level-1 channel, which links it visibly to its parent (C3.4).
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from app.core import audit
from app.core.crypto import Sealed, seal, unseal
from app.core.enums import (
    ApplicationKind,
    ApplicationStatus,
    ChannelCategory,
    ChannelForm,
    ChannelStatus,
    KeyEnvironment,
    KeyStatus,
    Stage,
    StepStatus,
)
from app.core.errors import Conflict, Forbidden, RuleViolation
from app.core.permissions import P, may
from app.core.timeutil import utcnow, zoned
from app.core.transaction import lock_row, transactional
from app.extensions import db
from app.modules.applications.aggregate import complete, lock_application
from app.modules.applications.kinds import register_operator_actions
from app.modules.applications.models import Application
from app.modules.applications.numbering import next_value
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import Cause
from app.modules.channels.models import Channel, Service
from app.modules.key_issuance.models import ChannelKey, KeyEvent
from app.modules.key_issuance.rules import allowed, effective_status
from app.modules.messaging.operations import send
from app.modules.regions.models import Region
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.operations import round_steps
from app.modules.reviews.rules import province_of

CATEGORY_DIGIT = {c: str(i) for i, c in enumerate(ChannelCategory, 1)}
FORM_DIGIT = {f: str(i) for i, f in enumerate(ChannelForm, 1)}
KEY_ALGORITHM = "HMAC-SM3"


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key: the only object that ever holds the secret in clear, shown once."""

    channel: Channel
    key: ChannelKey
    secret: str


def channel_number(channel: Channel, region_codes: list[str]) -> str:
    """C3.4: a unique number; a level-2 number is its level-1 number plus a serial."""
    if channel.level == 2:
        parent = channel.parent
        return f"{parent.channel_number}-{next_value('channel:' + parent.channel_number):03d}"
    provinces = {province_of(c) for c in region_codes}
    pp = next(iter(provinces))[:2] if len(provinces) == 1 else "00"
    serial = next_value("channel:level1")
    return f"1{pp}{CATEGORY_DIGIT[channel.category]}{FORM_DIGIT[channel.form]}{serial:05d}"


def active_keys(channel: Channel, environment: KeyEnvironment) -> list[ChannelKey]:
    """The channel's keys of one environment that work now (an overlapping predecessor included)."""
    now = utcnow()
    keys = db.session.scalars(
        sa.select(ChannelKey)
        .where(ChannelKey.channel_id == channel.id, ChannelKey.environment == environment)
        .execution_options(populate_existing=True)
    )
    return [k for k in keys if effective_status(k, now) == KeyStatus.active]


def _check_single_active(channel: Channel, environment: KeyEnvironment, predecessor: ChannelKey | None) -> None:
    """C5.1 invariant: at most two active keys per channel and environment, and two only while a rotation links
    them (the predecessor in its overlap window and its successor)."""
    others = [k for k in active_keys(channel, environment) if predecessor is None or k.id != predecessor.id]
    if others and predecessor is not None:
        raise Conflict(
            f"上一次轮换的过渡期尚未结束（{others[0].key_id} 与 {predecessor.key_id} 均有效），"
            "过渡期结束后才能再次轮换",
            f"The previous rotation is still in its overlap window ({others[0].key_id} and {predecessor.key_id} are "
            "both active); rotate again once it has ended",
            code="rotation_overlap",
        )
    if others:
        raise Conflict(
            f"该渠道已有有效的{environment.title_zh}（{others[0].key_id}），不能再签发",
            f"The channel already has an active {environment.title_en.lower()} ({others[0].key_id})",
            code="key_already_active",
        )


def issue_key(channel: Channel, environment: KeyEnvironment, actor, predecessor: ChannelKey | None = None) -> IssuedKey:
    """Generate a 256-bit secret with `cryptography`'s key generator (the OS CSPRNG), seal it under the master key
    (envelope encryption) and record the key (C5.1). The channel is locked first, so that two issuances or rotations
    never run side by side, and a channel never holds a second active key except as a rotation's successor."""
    lock_row(Channel, channel.id)
    _check_single_active(channel, environment, predecessor)
    secret = base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).rstrip(b"=")
    key_id = ("tk_" if environment == KeyEnvironment.test else "pk_") + secrets.token_hex(12)
    sealed = seal(secret, key_id)
    key = ChannelKey(
        key_id=key_id,
        channel_id=channel.id,
        environment=environment,
        algorithm=KEY_ALGORITHM,
        fingerprint=hashlib.sha256(secret).hexdigest(),
        status=KeyStatus.active,
        secret_ciphertext=sealed.ciphertext,
        wrapped_data_key=sealed.wrapped_key,
        master_key_id=sealed.master_key_id,
        issued_by_id=actor.id,
        rotated_from_id=predecessor.id if predecessor is not None else None,
    )
    db.session.add(key)
    db.session.add(KeyEvent(key=key, action="issue", actor_id=actor.id))
    audit.record(
        "key.issue",
        key,
        after={
            "key_id": key_id,
            "channel_id": channel.id,
            "environment": str(environment),
            "fingerprint": key.fingerprint,
        },
        actor=actor,
    )
    return IssuedKey(channel, key, secret.decode())


def issuance_refusal(user, app: Application):
    if not may(user, P.key_issue):
        return Forbidden(
            "只有平台运营机构可以分配渠道编号和签发密钥", "Only the platform operator assigns numbers and issues keys"
        )
    if app.kind != ApplicationKind.test:
        return Conflict(
            "正式入网申请在核验后签发生产密钥，不分配编号和测试密钥",
            "A production intake ends with the production key, not with a number and test key",
            code="wrong_kind",
        )
    if app.status != ApplicationStatus.approved:
        return Conflict(
            f"申请状态为“{app.status.title_zh}”，尚不能分配编号和密钥",
            f"The application is {app.status.title_en.lower()}; it cannot be completed now",
            code="not_approved",
        )
    return None


def _grant(channel: Channel, row) -> None:
    codes = row.granted_codes
    channel.regions = list(db.session.scalars(sa.select(Region).where(Region.code.in_(codes))))
    channel.services = list(db.session.scalars(sa.select(Service).where(Service.code.in_(row.service_codes))))


@transactional
def complete_test_intake(user, app_id: int) -> list[IssuedKey]:
    """C2.6: on approval the operator assigns each channel a unique number and a test key; the channels start
    integration testing (status `testing`)."""
    app = lock_application(app_id)
    refusal = issuance_refusal(user, app)
    if refusal:
        raise refusal
    step = next(s for s in round_steps(app) if s.stage == Stage.operator)
    issued = []
    for row in app.rows:
        channel = row.channel
        before = channel.snapshot()
        _grant(channel, row)
        channel.channel_number = channel.channel_number or channel_number(channel, row.granted_codes)
        lifecycle.move(channel, ChannelStatus.testing, Cause.test_intake_approved, user, before=before)
        db.session.flush()
        issued.append(issue_key(channel, KeyEnvironment.test, user))
    _close(app, step, user)
    return issued


def _close(app: Application, step: ReviewStep, user) -> None:
    step.status, step.reviewer_id, step.reviewer_name = StepStatus.approved, user.id, user.display_name
    step.contact, step.phone, step.decided_at = user.display_name, user.phone, utcnow()
    step.opinion = "已分配渠道编号并签发测试密钥"
    complete(app)
    numbers = "、".join(f"{r.name}：{r.channel.channel_number}" for r in app.rows)
    audit.record("application.complete", app, before={"status": "approved"}, after={"status": "completed"}, actor=user)
    send("test_intake.completed", {"number": app.number, "numbers": numbers}, app, organisation_id=app.applicant_id)


def record_event(key: ChannelKey, action: str, actor, reason: str = "") -> None:
    """C5.1: every step of a key's life is recorded, in the key's history and in the audit log."""
    db.session.add(KeyEvent(key=key, action=action, actor_id=getattr(actor, "id", None), reason=reason))
    audit.record(
        f"key.{action}", key, after={"key_id": key.key_id, "status": str(key.status), "reason": reason}, actor=actor
    )


def _guard(key: ChannelKey, action: str) -> None:
    """Lock the key's channel (every key verb of a channel runs one after the other, C5.1), read the key fresh, and
    check that its state allows `action`."""
    lock_row(Channel, key.channel_id)
    db.session.refresh(key)
    status = effective_status(key, utcnow())
    if status != key.status:
        key.status = status
        record_event(key, "expire", None)
    if not allowed(action, status):
        raise Conflict(
            f"密钥当前状态为“{status.title_zh}”，不能执行此操作",
            f"The key is {status.title_en.lower()}; it cannot be {action}d",
            code=f"key_{status}",
        )


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise RuleViolation("请说明原因", "Give a reason", code="reason_required", fields={"reason": ["required"]})
    return reason.strip()


def _operator(user) -> None:
    if not may(user, P.key_issue):
        raise Forbidden("只有平台运营机构可以管理密钥", "Only the platform operator manages keys")


@transactional
def rotate_key(user, key: ChannelKey) -> IssuedKey:
    """C5.1: a new key replaces the old one, which keeps working for KEY_ROTATION_OVERLAP_DAYS and then expires."""
    _operator(user)
    _guard(key, "rotate")
    _check_single_active(key.channel, key.environment, key)
    overlap = utcnow() + timedelta(days=current_app.config["KEY_ROTATION_OVERLAP_DAYS"])
    key.valid_until = min(key.valid_until or overlap, overlap)
    record_event(key, "rotate", user, f"until {zoned(key.valid_until).isoformat(timespec='seconds')}")
    return issue_key(key.channel, key.environment, user, predecessor=key)


@transactional
def suspend_key(user, key: ChannelKey, reason: str) -> ChannelKey:
    _operator(user)
    _guard(key, "suspend")
    key.status, key.status_reason = KeyStatus.suspended, _reason(reason)
    record_event(key, "suspend", user, key.status_reason)
    return key


@transactional
def resume_key(user, key: ChannelKey) -> ChannelKey:
    _operator(user)
    _guard(key, "resume")
    key.status, key.status_reason = KeyStatus.active, ""
    record_event(key, "resume", user)
    return key


@transactional
def revoke_key(user, key: ChannelKey, reason: str) -> ChannelKey:
    _operator(user)
    _guard(key, "revoke")
    key.status, key.status_reason = KeyStatus.revoked, _reason(reason)
    record_event(key, "revoke", user, key.status_reason)
    return key


@transactional
def destroy_key(user, key: ChannelKey) -> ChannelKey:
    """C5.1: destruction wipes the sealed secret; only the record that the key existed remains."""
    _operator(user)
    _guard(key, "destroy")
    key.status, key.secret_ciphertext, key.wrapped_data_key = KeyStatus.destroyed, b"", b""
    record_event(key, "destroy", user)
    return key


def key_secret(key: ChannelKey) -> bytes:
    """The clear secret, for verifying a signature only; never logged, stored or returned."""
    return unseal(Sealed(key.secret_ciphertext, key.wrapped_data_key, key.master_key_id), key.key_id)


register_operator_actions(ApplicationKind.test, lambda app, user: {"can_issue": issuance_refusal(user, app) is None})
