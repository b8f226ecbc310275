"""Channel API: channels in the caller's scope, and the service catalogue (C2.4)."""

import sqlalchemy as sa
from flask_login import current_user
from marshmallow import fields

from app.core.enums import ChannelStatus
from app.core.http.api import api_bp, doc, load_body
from app.core.http.pagination import choice_arg, paginate
from app.core.jurisdiction import get_channel, visible_channels
from app.extensions import db
from app.modules.accounts.schemas import StrictSchema
from app.modules.channels import operations as ops
from app.modules.channels import schemas as s
from app.modules.channels.models import Channel, Service


@api_bp.get("/channels")
@doc(
    "Channels visible to the caller (own, or in the reviewer's jurisdiction)",
    response_schema=s.ChannelListSchema,
    tag="channels",
    query={
        "status": {"type": "string", "enum": [c.value for c in ChannelStatus]},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
    },
)
def list_channels():
    query = visible_channels(current_user)
    status = choice_arg("status", ChannelStatus)
    if status:
        query = query.where(Channel.status == status)
    return paginate(query.order_by(Channel.id)).as_dict(s.ChannelSchema(many=True))


@api_bp.get("/channels/<int:channel_id>")
@doc("One channel with its grants and key summaries (never a secret)", response_schema=s.ChannelSchema, tag="channels")
def get_channel_api(channel_id: int):
    return s.ChannelSchema().dump(get_channel(current_user, channel_id))


@api_bp.get("/services")
@doc(
    "The service catalogue: the standard service and personalized services (C2.4)",
    response_schema=s.ServiceListSchema,
    tag="channels",
)
def list_services():
    services = db.session.scalars(sa.select(Service).order_by(Service.sort_order, Service.code)).all()
    return {"items": s.ServiceSchema(many=True).dump(services)}


@api_bp.post("/services")
@doc(
    "Add a personalized service to the catalogue (operator)",
    request_schema=s.ServiceInSchema,
    response_schema=s.ServiceSchema,
    tag="channels",
    status=201,
)
def create_service():
    return s.ServiceSchema().dump(ops.create_service(load_body(s.ServiceInSchema()))), 201


@api_bp.patch("/services/<code>")
@doc(
    "Change a catalogue entry (operator)",
    request_schema=s.ServiceUpdateSchema,
    response_schema=s.ServiceSchema,
    tag="channels",
)
def update_service(code: str):
    return s.ServiceSchema().dump(ops.update_service(code, load_body(s.ServiceUpdateSchema())))


class PlatformCapabilityInSchema(StrictSchema):
    platform_capability = fields.Boolean(required=True)


@api_bp.put("/channels/<int:channel_id>/platform-capability")
@doc(
    "Operator: record platform-level capability of a nationally signed channel (C3.1)",
    request_schema=PlatformCapabilityInSchema,
    response_schema=s.ChannelSchema,
    tag="channels",
)
def set_platform_capability(channel_id: int):
    channel = get_channel(current_user, channel_id)
    data = load_body(PlatformCapabilityInSchema())
    channel = ops.set_platform_capability(channel, data["platform_capability"])
    return s.ChannelSchema().dump(channel)


@api_bp.put("/channels/<int:channel_id>/contact")
@doc(
    "Owner: change the contact person or details of a live channel (C4.2); the operator is told, history kept",
    request_schema=s.ContactInSchema,
    response_schema=s.ChannelSchema,
    tag="channels",
)
def change_contact_api(channel_id: int):
    channel = get_channel(current_user, channel_id)
    return s.ChannelSchema().dump(ops.change_contact(current_user, channel, load_body(s.ContactInSchema())))


@api_bp.get("/channels/<int:channel_id>/contact-changes")
@doc("A channel's contact changes, newest first (C4.2)", response_schema=s.ContactChangeListSchema, tag="channels")
def contact_changes_api(channel_id: int):
    return {"items": s.ContactChangeSchema(many=True).dump(ops.contact_history(get_channel(current_user, channel_id)))}
