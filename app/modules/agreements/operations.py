"""Agreement verbs: publish a text version (C4.12), sign (owner), countersign (operator), and the lists the operator
works from — who has not signed a version yet (C4.12)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import ChannelStatus
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.permissions import P, acts_for, may
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.agreements.models import Agreement, AgreementVersion
from app.modules.agreements.rules import (
    EXEMPT_CATEGORIES,
    earliest_effective_date,
    is_outdated,
    needs_agreement,
    term_from,
    text_digest,
    version_in_force,
)
from app.modules.channels.models import Channel
from app.modules.messaging.operations import send, send_to_operators

# Channels that sign: those in integration testing or production review (before going live) and live ones.
SIGNING_STATUSES = (ChannelStatus.testing, ChannelStatus.production_review, ChannelStatus.live, ChannelStatus.suspended)
# Channels that must confirm a new version (C4.12).
LIVE_STATUSES = (ChannelStatus.live, ChannelStatus.suspended)


def all_versions() -> list[AgreementVersion]:
    return list(db.session.scalars(sa.select(AgreementVersion).order_by(AgreementVersion.effective_from.desc())))


def get_version(version_id: int) -> AgreementVersion:
    version = db.session.get(AgreementVersion, version_id)
    if version is None:
        raise NotFound("协议版本不存在", "No such agreement version")
    return version


def current_version(on: date | None = None) -> AgreementVersion | None:
    return version_in_force(all_versions(), on or today())


def _require_operator(user) -> None:
    if not may(user, P.agreement_manage):
        raise Forbidden("只有平台运营机构可以办理此事项", "Only the platform operator can do this")


def _check_new_version(label: str, body: str, effective_from: date, versions) -> None:
    fields = {}
    if not label.strip():
        fields["version"] = ["required"]
    if not body.strip():
        fields["body"] = ["required"]
    if fields:
        raise RuleViolation("请填写版本号和协议全文", "Give the version label and the full text", fields=fields)
    if any(v.version == label.strip() for v in versions):
        raise Conflict("该版本号已存在", "This version label already exists", code="version_exists")
    if versions and effective_from <= max(v.effective_from for v in versions):
        raise RuleViolation(
            "新版本的生效日期须晚于现有各版本",
            "A new version must take effect after every existing one",
            code="C4.12",
            fields={"effective_from": ["not after the latest version"]},
        )
    earliest = earliest_effective_date(today(), current_app.config["AGREEMENT_NOTICE_MONTHS"])
    if versions and effective_from < earliest:
        raise RuleViolation(
            f"协议内容变更须提前两个月在门户公告，生效日期最早为 {earliest}（C4.12）",
            f"A changed agreement is announced two months ahead; it can take effect on {earliest} at the earliest "
            "(C4.12)",
            code="C4.12",
            fields={"effective_from": [f"earliest {earliest}"]},
        )


@transactional
def publish_version(user, label: str, title: str, body: str, effective_from: date) -> AgreementVersion:
    """Publish (announce) a text version. The first version may apply at once; every later one is announced at least
    AGREEMENT_NOTICE_MONTHS ahead and every live channel is told to confirm and sign it (C4.12)."""
    _require_operator(user)
    versions = all_versions()
    _check_new_version(label, body, effective_from, versions)
    version = AgreementVersion(
        version=label.strip(),
        title=title.strip() or "电子社会保障卡服务渠道合作协议",
        body=body,
        sha256=text_digest(body),
        effective_from=effective_from,
        created_by_id=user.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "agreement.publish",
        version,
        actor=user,
        after={"version": version.version, "sha256": version.sha256, "effective_from": str(effective_from)},
    )
    if versions:
        _announce(version)
    return version


def _announce(version: AgreementVersion) -> None:
    owners = db.session.scalars(
        sa.select(Channel.owner_id)
        .where(Channel.status.in_(LIVE_STATUSES), Channel.category.not_in(EXEMPT_CATEGORIES))
        .distinct()
    )
    for owner_id in owners:
        context = {"title": version.title, "version": version.version, "effective_from": version.effective_from}
        send("agreement.announced", context, version, organisation_id=owner_id)


def agreements_of(channel) -> list[Agreement]:
    return list(
        db.session.scalars(
            sa.select(Agreement).where(Agreement.channel_id == channel.id).order_by(Agreement.signed_at.desc())
        )
    )


def get_agreement(agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("协议不存在", "No such agreement")
    return agreement


def signing_refusal(user, channel, version: AgreementVersion):
    """Why `user` may not sign `version` for `channel` now, or None (the UI offers only what works)."""
    if not (may(user, P.agreement_sign) and acts_for(user, channel.owner_id)):
        return Forbidden("只有渠道所属单位可以签署合作协议", "Only the channel's owner signs its agreement")
    if not needs_agreement(channel.category):
        return Conflict(
            "人社渠道和政府渠道无需签署合作协议（C2.8）",
            "HR&SS and government channels do not sign the agreement (C2.8)",
            code="C2.8",
        )
    if channel.status not in SIGNING_STATUSES:
        return Conflict(
            f"渠道当前状态为“{channel.status.title_zh}”，不能签署协议",
            f"The channel is {channel.status.title_en.lower()}; it cannot sign now",
            code="channel_status",
        )
    if is_outdated(version, all_versions(), today()):
        return Conflict(
            f"协议 {version.version} 版已被新版本取代，请签署现行版本",
            f"Version {version.version} has been superseded; sign the version in force",
            code="outdated_version",
        )
    if db.session.scalar(
        sa.select(Agreement.id).where(Agreement.channel_id == channel.id, Agreement.version_id == version.id)
    ):
        return Conflict("该版本已签署", "This version has already been signed", code="already_signed")
    return None


@transactional
def sign(user, channel, version_id: int, text_sha256: str, confirmed: bool) -> Agreement:
    """The owner signs in the portal: an explicit confirmation recording who, when and the SHA-256 of the exact text
    shown (C2.8, C4.12). A digest that differs from the version's means the signer saw another text: refused."""
    version = get_version(version_id)
    refusal = signing_refusal(user, channel, version)
    if refusal:
        raise refusal
    if not confirmed:
        raise RuleViolation(
            "请确认已阅读并同意协议全文",
            "Confirm that you have read and agree to the full text",
            fields={"confirm": ["required"]},
        )
    if (text_sha256 or "").lower() != version.sha256:
        raise Conflict(
            "所确认的协议文本与该版本不一致，请重新打开协议全文后再签署",
            "The text you confirmed differs from this version; reopen the full text and sign again",
            code="text_mismatch",
        )
    agreement = Agreement(
        channel_id=channel.id,
        version_id=version.id,
        text_sha256=version.sha256,
        signed_by_id=user.id,
        signer_name=user.display_name,
        signed_at=utcnow(),
    )
    db.session.add(agreement)
    db.session.flush()
    audit.record(
        "agreement.sign",
        agreement,
        actor=user,
        after={"channel_id": channel.id, "version": version.version, "sha256": version.sha256},
    )
    context = {"owner": channel.owner.name, "channel": channel.name, "version": version.version}
    send_to_operators("agreement.signed", context, agreement)
    return agreement


def _term(agreement: Agreement) -> tuple[date, date]:
    """A new text version signed during a running term keeps that term (the content changes, not the term, C4.12);
    otherwise the term starts on the countersignature (AGREEMENT_TERM_MONTHS, default one year, C4.11)."""
    running = db.session.scalar(
        sa.select(Agreement)
        .where(
            Agreement.channel_id == agreement.channel_id,
            Agreement.id != agreement.id,
            Agreement.countersigned_at.is_not(None),
            Agreement.term_end >= today(),
        )
        .order_by(Agreement.term_end.desc())
    )
    if running is not None:
        return running.term_start, running.term_end
    return term_from(today(), current_app.config["AGREEMENT_TERM_MONTHS"])


@transactional
def countersign(user, agreement_id: int) -> Agreement:
    """The operator countersigns; the term starts (C4.11). Of two operators countersigning at once, one wins: the
    update applies only while the agreement is still not countersigned."""
    _require_operator(user)
    agreement = get_agreement(agreement_id)
    term_start, term_end = _term(agreement)
    won = db.session.execute(
        sa.update(Agreement)
        .where(Agreement.id == agreement.id, Agreement.countersigned_at.is_(None))
        .values(
            countersigned_by_id=user.id,
            countersigner_name=user.display_name,
            countersigned_at=utcnow(),
            term_start=term_start,
            term_end=term_end,
        )
    )
    if won.rowcount != 1:
        raise Conflict("该协议已会签", "This agreement has already been countersigned", code="already_countersigned")
    db.session.refresh(agreement)
    audit.record(
        "agreement.countersign",
        agreement,
        actor=user,
        before={"countersigned": False},
        after={"countersigned": True, "term_start": str(agreement.term_start), "term_end": str(agreement.term_end)},
    )
    context = {
        "channel": agreement.channel.name,
        "version": agreement.version.version,
        "term_start": agreement.term_start,
        "term_end": agreement.term_end,
    }
    send("agreement.countersigned", context, agreement, organisation_id=agreement.channel.owner_id)
    return agreement


def agreement_complete(channel, on: date | None = None) -> bool:
    """C2.8: a channel that needs the agreement has a countersigned one under the version in force (or a newer one)."""
    if not needs_agreement(channel.category):
        return True
    in_force = current_version(on)
    if in_force is None:
        return False
    return bool(
        db.session.scalar(
            sa.select(Agreement.id)
            .join(AgreementVersion)
            .where(
                Agreement.channel_id == channel.id,
                Agreement.countersigned_at.is_not(None),
                AgreementVersion.effective_from >= in_force.effective_from,
            )
        )
    )


@dataclass
class SigningState:
    channel: Channel
    agreement: Agreement | None

    @property
    def state(self) -> str:
        if self.agreement is None:
            return "unsigned"
        return "countersigned" if self.agreement.countersigned else "signed"


def signing_states(version: AgreementVersion) -> list[SigningState]:
    """C4.12: every live channel that must sign `version`, with whether it has signed and been countersigned — one
    query, the operator's list of who has not."""
    rows = db.session.execute(
        sa.select(Channel, Agreement)
        .outerjoin(Agreement, sa.and_(Agreement.channel_id == Channel.id, Agreement.version_id == version.id))
        .where(Channel.status.in_(LIVE_STATUSES), Channel.category.not_in(EXEMPT_CATEGORIES))
        .order_by(Channel.channel_number)
    ).all()
    return [SigningState(channel, agreement) for channel, agreement in rows]


def pending_countersignatures() -> list[Agreement]:
    return list(
        db.session.scalars(
            sa.select(Agreement).where(Agreement.countersigned_at.is_(None)).order_by(Agreement.signed_at)
        )
    )
