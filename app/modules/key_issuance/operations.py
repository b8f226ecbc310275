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

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.core import audit
from app.core.crypto import seal
from app.core.enums import (
    ApplicationStatus,
    ChannelCategory,
    ChannelForm,
    ChannelStatus,
    KeyEnvironment,
    KeyStatus,
    Role,
    Stage,
    StepStatus,
)
from app.core.errors import Conflict, Forbidden
from app.core.timeutil import utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.applications.models import Application, ApplicationRound
from app.modules.applications.numbering import next_value
from app.modules.applications.operations import lock_application
from app.modules.channels.models import Channel, Service
from app.modules.key_issuance.models import ChannelKey
from app.modules.messaging.operations import notify_organisation
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


def issue_key(channel: Channel, environment: KeyEnvironment, actor) -> IssuedKey:
    """Generate a 256-bit secret with `cryptography`'s key generator (the OS CSPRNG), seal it under the master key
    (envelope encryption) and record the key (C5.1)."""
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
    )
    db.session.add(key)
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
    if user.role != Role.operator:
        return Forbidden(
            "只有平台运营机构可以分配渠道编号和签发密钥", "Only the platform operator assigns numbers and issues keys"
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
        channel.status = ChannelStatus.testing
        db.session.flush()
        issued.append(issue_key(channel, KeyEnvironment.test, user))
        audit.record("channel.start_testing", channel, before=before, after=channel.snapshot(), actor=user)
    _close(app, step, user)
    return issued


def _close(app: Application, step: ReviewStep, user) -> None:
    step.status, step.reviewer_id, step.reviewer_name = StepStatus.approved, user.id, user.display_name
    step.contact, step.phone, step.decided_at = user.display_name, user.phone, utcnow()
    step.opinion = "已分配渠道编号并签发测试密钥"
    app.status, app.completed_at = ApplicationStatus.completed, utcnow()
    round_row = db.session.scalar(
        sa.select(ApplicationRound).where(
            ApplicationRound.application_id == app.id, ApplicationRound.round == app.round
        )
    )
    round_row.outcome, round_row.closed_at = "approved", utcnow()
    numbers = "、".join(f"{r.name}：{r.channel.channel_number}" for r in app.rows)
    audit.record("application.complete", app, before={"status": "approved"}, after={"status": "completed"}, actor=user)
    notify_organisation(
        app.applicant_id,
        Stage.operator.title_zh,
        f"申请 {app.number} 已办结",
        f"测试入网申请 {app.number} 已审核通过。渠道编号：{numbers}。测试密钥由平台运营机构线下安全交付。",
        app,
    )
