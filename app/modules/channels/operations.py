"""Channel verbs that are not part of an application: the service catalogue (C2.4), kept by the operator."""

from app.core import audit
from app.core.enums import ServiceKind
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
