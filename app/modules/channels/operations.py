"""Channel verbs that are not part of an application: the service catalogue (C2.4), kept by the operator."""

from app.core import audit
from app.core.enums import ChannelCategory, ServiceKind
from app.core.errors import Conflict, NotFound, RuleViolation
from app.core.transaction import transactional
from app.extensions import db
from app.modules.channels.models import Service

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
