"""Key issuance API: the operator completes an approved test intake; the response carries each secret once."""

import sqlalchemy as sa
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.errors import NotFound
from app.core.http.api import api_bp, doc, load_body
from app.core.jurisdiction import get_application, get_channel
from app.core.schema_fields import ZonedDateTime
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts.operations import reauthenticate
from app.modules.accounts.schemas import StrictSchema
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.models import ChannelKey
from app.modules.key_issuance.operations import complete_test_intake
from app.modules.key_issuance.rules import effective_status


class IssuedKeySchema(Schema):
    channel_id = fields.Function(lambda i: i.channel.id)
    channel_name = fields.Function(lambda i: i.channel.name)
    channel_number = fields.Function(lambda i: i.channel.channel_number)
    channel_status = fields.Function(lambda i: str(i.channel.status))
    key_id = fields.Function(lambda i: i.key.key_id)
    environment = fields.Function(lambda i: str(i.key.environment))
    algorithm = fields.Function(lambda i: i.key.algorithm)
    fingerprint = fields.Function(lambda i: i.key.fingerprint)
    secret = fields.String(metadata={"description": "shown in this response only; never retrievable again"})


class IssuanceSchema(Schema):
    application_id = fields.Integer()
    items = fields.List(fields.Nested(IssuedKeySchema))


class ReauthInSchema(StrictSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    otp = fields.String(load_default="", validate=validate.Length(max=6))


@api_bp.post("/applications/<int:app_id>/complete")
@doc(
    "Operator: assign channel numbers and issue test keys for an approved application (C2.6, C3.4). Reveals the "
    "keys, so the body re-authenticates the caller: password and current one-time code.",
    request_schema=ReauthInSchema,
    response_schema=IssuanceSchema,
    tag="key_issuance",
    status=201,
)
def complete_api(app_id: int):
    app = get_application(current_user, app_id)
    credentials = load_body(ReauthInSchema())
    reauthenticate(current_user, credentials["password"], credentials["otp"])
    issued = complete_test_intake(current_user, app.id)
    body = {"application_id": app.id, "items": IssuedKeySchema(many=True).dump(issued)}
    return body, 201, {"Cache-Control": "no-store"}


class KeyEventSchema(Schema):
    action = fields.String()
    at = ZonedDateTime()
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String()


class KeySchema(Schema):
    key_id = fields.String()
    channel_id = fields.Integer()
    environment = fields.String()
    algorithm = fields.String()
    fingerprint = fields.String()
    status = fields.Function(lambda k: str(effective_status(k, utcnow())))
    status_reason = fields.String()
    issued_at = ZonedDateTime()
    valid_until = ZonedDateTime(allow_none=True)
    last_used_at = ZonedDateTime(allow_none=True)
    events = fields.List(fields.Nested(KeyEventSchema))


class KeyListSchema(Schema):
    items = fields.List(fields.Nested(KeySchema))


class ReasonInSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RevokeInSchema(ReauthInSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def _key(key_id: str):
    key = db.session.scalar(sa.select(ChannelKey).where(ChannelKey.key_id == key_id))
    if key is None:
        raise NotFound("密钥不存在", "No such key")
    get_channel(current_user, key.channel_id)
    return key


def _reauth(schema) -> dict:
    data = load_body(schema)
    reauthenticate(current_user, data["password"], data["otp"])
    return data


@api_bp.get("/channels/<int:channel_id>/keys")
@doc("A channel's keys with their history (C5.1); never a secret", response_schema=KeyListSchema, tag="key_issuance")
def list_keys(channel_id: int):
    channel = get_channel(current_user, channel_id)
    return {"items": KeySchema(many=True).dump(sorted(channel.keys, key=lambda k: k.id))}


@api_bp.post("/keys/<key_id>/rotate")
@doc(
    "Rotate a key: the new secret is in this response only; the old key works for the overlap, then expires",
    request_schema=ReauthInSchema,
    response_schema=IssuedKeySchema,
    tag="key_issuance",
    status=201,
)
def rotate_key_api(key_id: str):
    key = _key(key_id)
    _reauth(ReauthInSchema())
    return IssuedKeySchema().dump(ops.rotate_key(current_user, key)), 201, {"Cache-Control": "no-store"}


@api_bp.post("/keys/<key_id>/suspend")
@doc("Suspend a key with a reason", request_schema=ReasonInSchema, response_schema=KeySchema, tag="key_issuance")
def suspend_key_api(key_id: str):
    key = _key(key_id)
    return KeySchema().dump(ops.suspend_key(current_user, key, load_body(ReasonInSchema())["reason"]))


@api_bp.post("/keys/<key_id>/resume")
@doc("Resume a suspended key", response_schema=KeySchema, tag="key_issuance")
def resume_key_api(key_id: str):
    return KeySchema().dump(ops.resume_key(current_user, _key(key_id)))


@api_bp.post("/keys/<key_id>/revoke")
@doc(
    "Revoke a key with a reason (re-authentication required)",
    request_schema=RevokeInSchema,
    response_schema=KeySchema,
    tag="key_issuance",
)
def revoke_key_api(key_id: str):
    key = _key(key_id)
    data = _reauth(RevokeInSchema())
    return KeySchema().dump(ops.revoke_key(current_user, key, data["reason"]))


@api_bp.post("/keys/<key_id>/destroy")
@doc(
    "Destroy a revoked or expired key: its sealed secret is wiped (re-authentication required)",
    request_schema=ReauthInSchema,
    response_schema=KeySchema,
    tag="key_issuance",
)
def destroy_key_api(key_id: str):
    key = _key(key_id)
    _reauth(ReauthInSchema())
    return KeySchema().dump(ops.destroy_key(current_user, key))
