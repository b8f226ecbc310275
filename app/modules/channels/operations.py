"""Channel verbs that are not part of an application: the service catalogue (C2.4), kept by the operator."""

import sqlalchemy as sa

from app.core import audit
from app.core.enums import ChannelCategory, ChannelStatus, ServiceKind
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.permissions import P, acts_for, may
from app.core.transaction import transactional
from app.core.validation import check_email, check_phone
from app.extensions import db
from app.modules.accounts import signals
from app.modules.channels.models import Channel, ContactChange, Service
from app.modules.messaging.operations import send_to_operators

SERVICE_FIELDS = ("name_zh", "name_en", "description", "allowed_categories", "active", "sort_order")


def _snapshot(service: Service) -> dict:
    return {n: getattr(service, n) for n in ("kind", *SERVICE_FIELDS)} | {"kind": str(service.kind)}


@transactional
def create_service(data: dict) -> Service:
    """C2.4: the operator adds a personalized service to the catalogue (the standard service exists once)."""
    if db.session.get(Service, data["code"]):
        raise Conflict("服务编码已存在", "This service code exists", fields={"code": ["duplicate"]})
    if ServiceKind(data["kind"]) == ServiceKind.standard:
        raise RuleViolation(
            "标准服务只有一项，已存在",
            "There is exactly one standard service; it exists",
            code="C2.4",
            fields={"kind": ["standard exists"]},
        )
    service = Service(code=data["code"], kind=ServiceKind(data["kind"]))
    for name in SERVICE_FIELDS:
        if name in data:
            setattr(service, name, data[name])
    db.session.add(service)
    audit.record("service.create", service, after=_snapshot(service))
    return service


@transactional
def update_service(code: str, data: dict) -> Service:
    service = db.session.get(Service, code)
    if service is None:
        raise NotFound()
    before = _snapshot(service)
    for name in SERVICE_FIELDS:
        if name in data:
            setattr(service, name, data[name])
    if service.kind == ServiceKind.standard and not service.active:
        raise RuleViolation(
            "标准服务为必选项，不能停用（C2.4）",
            "The standard service is mandatory (C2.4)",
            code="C2.4",
            fields={"active": ["standard service"]},
        )
    audit.record("service.update", service, before=before, after=_snapshot(service))
    return service


@transactional
def set_platform_capability(channel, capable: bool):
    """C3.1: the operator records whether a nationally signed channel has platform-level capability, which allows it
    to apply for level-2 channels of a different subject."""
    if capable and channel.category != ChannelCategory.national_signed:
        raise RuleViolation(
            "只有全国签约渠道可以具备平台级能力（C3.1）",
            "Only a nationally signed channel can have platform-level capability (C3.1)",
            code="C3.1",
            fields={"platform_capability": ["not a national_signed channel"]},
        )
    before = {"platform_capability": channel.platform_capability}
    channel.platform_capability = capable
    audit.record("channel.platform_capability", channel, before=before, after={"platform_capability": capable})
    return channel


CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def contact_of(channel) -> dict:
    return {name: getattr(channel, name) for name in CONTACT_FIELDS}


@transactional
def change_contact(user, channel, data: dict):
    """C4.2: the owner changes the contact person or details of a live channel (fixed at production intake); phone
    and e-mail are validated (S3), the history is kept and the operator is told."""
    if not (may(user, P.application_create) and acts_for(user, channel.owner_id)):
        raise Forbidden("只有渠道所属单位可以变更联系人", "Only the channel's owner changes its contact")
    if channel.status not in (ChannelStatus.live, ChannelStatus.suspended):
        raise Conflict(
            "联系人在正式入网时确定，正式入网后方可变更", "The contact is set at production intake", code="C4.2"
        )
    after = {name: (data.get(name) or "").strip() for name in CONTACT_FIELDS}
    if not after["contact_name"] or not (after["contact_phone"] or after["contact_email"]):
        raise RuleViolation(
            "请填写联系人及至少一种联系方式",
            "Give a contact person and a phone or e-mail",
            code="C4.2",
            fields={"contact_name": ["required"]},
        )
    check_phone(after["contact_phone"], "contact_phone")
    check_email(after["contact_email"], "contact_email")
    before = contact_of(channel)
    if before == after:
        return channel
    for name, value in after.items():
        setattr(channel, name, value)
    db.session.add(ContactChange(channel_id=channel.id, before=before, after=after, changed_by_id=user.id))
    audit.record("channel.contact_change", channel, before=before, after=after, actor=user)
    context = {"owner": channel.owner.name, "channel": channel.name, "channel_number": channel.channel_number}
    send_to_operators(
        "channel.contact_changed",
        context | {"name": after["contact_name"], "phone": after["contact_phone"], "email": after["contact_email"]},
        channel,
    )
    return channel


def contact_history(channel) -> list:
    query = sa.select(ContactChange).where(ContactChange.channel_id == channel.id).order_by(ContactChange.id.desc())
    return list(db.session.scalars(query))


@signals.organisation_category_changed.connect
def follow_owner_category(organisation) -> list[str]:
    """C1.2: a channel's category follows its owner — when the owner's kind changes after review, its channels that have
    not left change with it (recorded in the owner's audit entry)."""
    channels = db.session.scalars(
        sa.select(Channel).where(
            Channel.owner_id == organisation.id,
            Channel.status.not_in((ChannelStatus.exited, ChannelStatus.withdrawn)),
            Channel.category != organisation.category,
        )
    ).all()
    for channel in channels:
        channel.category = organisation.category
    return [c.channel_number or c.name for c in channels]
