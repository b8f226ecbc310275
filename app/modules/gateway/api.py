"""The channel-facing API (C2.1), authenticated by request signatures, not by user tokens (see signing.py)."""

from flask import g
from marshmallow import Schema, fields

from app.core.http.api import api_bp, doc, request_json
from app.modules.gateway.check import channel_signed, require_service, signed_key


class ChannelStatusSchema(Schema):
    channel_number = fields.String()
    name = fields.String()
    status = fields.String()
    level = fields.Integer()
    regions = fields.List(fields.String())
    services = fields.List(fields.String())
    key_id = fields.String()
    environment = fields.String()


class EchoSchema(Schema):
    channel_number = fields.String()
    environment = fields.String()
    echo = fields.Raw()


@api_bp.get("/channel/status")
@doc(
    "Channel: its status and granted regions and services (production key, live channel)",
    response_schema=ChannelStatusSchema,
    tag="gateway",
    public=True,
)
@channel_signed()
def channel_status():
    key = signed_key()
    channel = key.channel
    return ChannelStatusSchema().dump(
        {
            "channel_number": channel.channel_number,
            "name": channel.name,
            "status": str(channel.status),
            "level": channel.level,
            "regions": [r.code for r in channel.regions],
            "services": [s.code for s in channel.services],
            "key_id": key.key_id,
            "environment": str(key.environment),
        }
    )


@api_bp.post("/channel/sandbox/echo")
@doc(
    "Sandbox: echoes the JSON body back, for integration testing with the test key",
    response_schema=EchoSchema,
    tag="gateway",
    public=True,
)
@channel_signed(sandbox=True)
def sandbox_echo():
    decision = g.gateway
    return EchoSchema().dump(
        {
            "channel_number": decision.channel_number,
            "environment": str(decision.environment),
            "echo": request_json(),
        }
    )


class ServiceCheckSchema(Schema):
    channel_number = fields.String()
    service = fields.String()
    available = fields.Boolean()


@api_bp.get("/channel/services/<code>")
@doc(
    "Channel: whether it may use a service now (C2.1) — granted to it, active, channel live, production key. The "
    "platform's service entry points make this check before serving a channel; 403 service_not_granted otherwise.",
    response_schema=ServiceCheckSchema,
    tag="gateway",
    public=True,
)
@channel_signed()
def service_check(code: str):
    decision = g.gateway
    require_service(decision, code)
    return {"channel_number": decision.channel_number, "service": code, "available": True}
