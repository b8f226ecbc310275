"""Agreement API (C2.8, C4.11, C4.12): text versions, a channel's signatures, countersigning, who has not signed."""

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.http.api import api_bp, doc, load_body
from app.core.jurisdiction import get_channel
from app.core.schema_fields import ZonedDateTime
from app.core.timeutil import today
from app.modules.accounts.schemas import StrictSchema, id_field
from app.modules.agreements import operations as ops
from app.modules.agreements.rules import is_outdated


class VersionSchema(Schema):
    id = fields.Integer()
    version = fields.String()
    title = fields.String()
    sha256 = fields.String()
    effective_from = fields.Date()
    announced_at = ZonedDateTime()
    in_force = fields.Function(lambda v: (ops.current_version() or v).id == v.id and v.effective_from <= today())
    outdated = fields.Function(lambda v: is_outdated(v, ops.all_versions(), today()))


class VersionTextSchema(VersionSchema):
    body = fields.String()


class VersionListSchema(Schema):
    items = fields.List(fields.Nested(VersionSchema))


class VersionInSchema(StrictSchema):
    version = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(load_default="", validate=validate.Length(max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=200_000))
    effective_from = fields.Date(required=True)


class AgreementSchema(Schema):
    id = fields.Integer()
    channel_id = fields.Integer()
    version_id = fields.Integer()
    version = fields.Function(lambda a: a.version.version)
    text_sha256 = fields.String()
    signer_name = fields.String()
    signed_at = ZonedDateTime()
    countersigner_name = fields.String()
    countersigned_at = ZonedDateTime(allow_none=True)
    term_start = fields.Date(allow_none=True)
    term_end = fields.Date(allow_none=True)


class AgreementListSchema(Schema):
    items = fields.List(fields.Nested(AgreementSchema))


class SignInSchema(StrictSchema):
    version_id = id_field(required=True)
    text_sha256 = fields.String(required=True, validate=validate.Length(equal=64))
    confirm = fields.Boolean(required=True, metadata={"description": "explicit: I have read and agree to the text"})


class SigningStateSchema(Schema):
    channel_id = fields.Function(lambda s: s.channel.id)
    channel_name = fields.Function(lambda s: s.channel.name)
    channel_number = fields.Function(lambda s: s.channel.channel_number)
    owner = fields.Function(lambda s: s.channel.owner.name)
    state = fields.String(metadata={"description": "unsigned, signed (awaiting countersignature) or countersigned"})
    agreement_id = fields.Function(lambda s: s.agreement.id if s.agreement else None)


class SigningStateListSchema(Schema):
    version_id = fields.Integer()
    items = fields.List(fields.Nested(SigningStateSchema))


@api_bp.get("/agreement-versions")
@doc("The published agreement text versions, newest first", response_schema=VersionListSchema, tag="agreements")
def list_versions():
    return {"items": VersionSchema(many=True).dump(ops.all_versions())}


@api_bp.get("/agreement-versions/<int:version_id>")
@doc("One version with its full text and SHA-256", response_schema=VersionTextSchema, tag="agreements")
def get_version(version_id: int):
    return VersionTextSchema().dump(ops.get_version(version_id))


@api_bp.post("/agreement-versions")
@doc(
    "Operator: publish a text version; a change is announced at least two months before it applies (C4.12)",
    request_schema=VersionInSchema,
    response_schema=VersionTextSchema,
    tag="agreements",
    status=201,
)
def publish_version():
    data = load_body(VersionInSchema())
    version = ops.publish_version(current_user, data["version"], data["title"], data["body"], data["effective_from"])
    return VersionTextSchema().dump(version), 201


@api_bp.get("/agreement-versions/<int:version_id>/signatures")
@doc(
    "Operator: every live channel that must sign this version and whether it has (C4.12)",
    response_schema=SigningStateListSchema,
    tag="agreements",
)
def version_signatures(version_id: int):
    version = ops.get_version(version_id)
    return {"version_id": version.id, "items": SigningStateSchema(many=True).dump(ops.signing_states(version))}


@api_bp.get("/channels/<int:channel_id>/agreements")
@doc("A channel's signed agreements, newest first", response_schema=AgreementListSchema, tag="agreements")
def list_channel_agreements(channel_id: int):
    return {"items": AgreementSchema(many=True).dump(ops.agreements_of(get_channel(current_user, channel_id)))}


@api_bp.post("/channels/<int:channel_id>/agreements")
@doc(
    "Owner: sign a version for a channel — `confirm` must be true and `text_sha256` the SHA-256 of the text read "
    "(C2.8, C4.12)",
    request_schema=SignInSchema,
    response_schema=AgreementSchema,
    tag="agreements",
    status=201,
)
def sign_agreement(channel_id: int):
    channel = get_channel(current_user, channel_id)
    data = load_body(SignInSchema())
    agreement = ops.sign(current_user, channel, data["version_id"], data["text_sha256"], data["confirm"])
    return AgreementSchema().dump(agreement), 201


@api_bp.get("/agreements/pending")
@doc("Operator: signed agreements awaiting countersignature", response_schema=AgreementListSchema, tag="agreements")
def pending_agreements():
    return {"items": AgreementSchema(many=True).dump(ops.pending_countersignatures())}


@api_bp.post("/agreements/<int:agreement_id>/countersign")
@doc(
    "Operator: countersign; the term starts (one year by default, C4.11)",
    response_schema=AgreementSchema,
    tag="agreements",
)
def countersign_agreement(agreement_id: int):
    return AgreementSchema().dump(ops.countersign(current_user, agreement_id))
