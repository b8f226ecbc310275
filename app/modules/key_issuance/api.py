"""Key issuance API: the operator completes an approved test intake; the response carries each secret once."""

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.jurisdiction import get_application
from app.modules.accounts.operations import reauthenticate
from app.modules.accounts.schemas import StrictSchema
from app.modules.key_issuance.operations import complete_test_intake
from app.web.api import api_bp, doc, load_body


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
