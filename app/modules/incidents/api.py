"""Incident API (C5.2, C5.5, C5.6, C3.5, C4.11)."""

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.errors import NotFound
from app.core.http.api import api_bp, doc, load_body
from app.core.http.pagination import paginate
from app.core.schema_fields import ZonedDateTime
from app.core.timeutil import from_local
from app.modules.accounts.schemas import StrictSchema, id_field
from app.modules.incidents import operations as ops
from app.modules.incidents.catalogue import INCIDENT_TYPES
from app.modules.incidents.models import Incident


class RectificationSchema(Schema):
    id = fields.Integer()
    body = fields.String()
    status = fields.String()
    filed_at = ZonedDateTime()
    decided_at = ZonedDateTime(allow_none=True)
    opinion = fields.String()


class ServiceSuspensionSchema(Schema):
    service_code = fields.String()
    suspended_at = ZonedDateTime()
    lifted_at = ZonedDateTime(allow_none=True)


class IncidentEvidenceSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class IncidentSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    channel_id = fields.Integer()
    incident_type = fields.String()
    level = fields.Integer()
    source = fields.String()
    status = fields.String()
    discovered_at = ZonedDateTime()
    description = fields.String()
    impact = fields.String()
    anomaly = fields.Dict(allow_none=True)
    decision_note = fields.String()
    rectification_due = fields.Date(allow_none=True)
    escalated_at = ZonedDateTime(allow_none=True)
    restored_at = ZonedDateTime(allow_none=True)
    observation_until = fields.Date(allow_none=True)
    renewal_approved_at = ZonedDateTime(allow_none=True)
    suspensions = fields.List(fields.Nested(ServiceSuspensionSchema))
    rectifications = fields.List(fields.Nested(RectificationSchema))
    evidence = fields.List(fields.Nested(IncidentEvidenceSchema))


class IncidentListSchema(Schema):
    items = fields.List(fields.Nested(IncidentSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class IncidentInSchema(StrictSchema):
    channel_id = id_field(required=True)
    incident_type = fields.String(required=True, validate=validate.OneOf(list(INCIDENT_TYPES)))
    discovered_at = fields.AwareDateTime(required=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    impact = fields.String(load_default="", validate=validate.Length(max=5000))


class IncidentConfirmInSchema(StrictSchema):
    incident_type = fields.String(load_default=None, validate=validate.OneOf(list(INCIDENT_TYPES)))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    services = fields.List(fields.String(validate=validate.Length(min=1, max=48)), load_default=list)


class IncidentReasonInSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RectificationInSchema(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))


class RectificationDecisionInSchema(StrictSchema):
    accept = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=2000))


@api_bp.get("/incidents")
@doc(
    "Incidents the caller sees: its channels' and its level-2 channels' (C3.5); all for operator and national",
    response_schema=IncidentListSchema,
    tag="incidents",
    query={"page": {"type": "integer"}, "per_page": {"type": "integer"}},
)
def list_incidents_api():
    return paginate(ops.visible_incidents(current_user).order_by(Incident.id.desc())).as_dict(IncidentSchema(many=True))


@api_bp.post("/incidents")
@doc(
    "Owner: report an incident at once (C5.2); operator: record one it detected. The type fixes the level (C5.5)",
    request_schema=IncidentInSchema,
    response_schema=IncidentSchema,
    tag="incidents",
    status=201,
)
def report_incident_api():
    data = load_body(IncidentInSchema())
    data["discovered_at"] = from_local(data["discovered_at"])
    action = ops.record_incident if current_user.role.value == "operator" else ops.report_incident
    return IncidentSchema().dump(action(current_user, data.pop("channel_id"), data)), 201


@api_bp.get("/incidents/<int:incident_id>")
@doc("One incident with its suspensions, rectifications and evidence", response_schema=IncidentSchema, tag="incidents")
def get_incident_api(incident_id: int):
    return IncidentSchema().dump(ops.get_incident(current_user, incident_id))


@api_bp.post("/incidents/<int:incident_id>/evidence")
@doc(
    "Add an evidence file (the raw body; PDF or image; X-Filename header names it)",
    response_schema=IncidentEvidenceSchema,
    tag="incidents",
    status=201,
    raw_body=("application/pdf",),
)
def upload_evidence_api(incident_id: int):
    incident = ops.get_incident(current_user, incident_id)
    name = request.headers.get("X-Filename", "evidence.pdf")
    return IncidentEvidenceSchema().dump(ops.add_evidence(current_user, incident.id, request.stream, name)), 201


@api_bp.post("/incidents/<int:incident_id>/confirm")
@doc(
    "Operator: confirm or re-grade (reason) and apply the consequences at once; level 1 names the services (C5.5)",
    request_schema=IncidentConfirmInSchema,
    response_schema=IncidentSchema,
    tag="incidents",
)
def confirm_incident_api(incident_id: int):
    data = load_body(IncidentConfirmInSchema())
    return IncidentSchema().dump(
        ops.confirm(current_user, incident_id, data["incident_type"], data["reason"], data["services"])
    )


@api_bp.post("/incidents/<int:incident_id>/dismiss")
@doc(
    "Operator: not an incident, with the reason (C5.6 triage)",
    request_schema=IncidentReasonInSchema,
    response_schema=IncidentSchema,
    tag="incidents",
)
def dismiss_incident_api(incident_id: int):
    return IncidentSchema().dump(ops.dismiss(current_user, incident_id, load_body(IncidentReasonInSchema())["reason"]))


@api_bp.post("/incidents/<int:incident_id>/rectifications")
@doc(
    "Owner: file the rectification report",
    request_schema=RectificationInSchema,
    response_schema=RectificationSchema,
    tag="incidents",
    status=201,
)
def file_rectification_api(incident_id: int):
    incident = ops.get_incident(current_user, incident_id)
    return RectificationSchema().dump(
        ops.file_rectification(current_user, incident.id, load_body(RectificationInSchema())["body"])
    ), 201


@api_bp.post("/incidents/<int:incident_id>/rectifications/<int:rectification_id>/decision")
@doc(
    "Operator: accept or reject (reasons) a rectification report",
    request_schema=RectificationDecisionInSchema,
    response_schema=RectificationSchema,
    tag="incidents",
)
def decide_rectification_api(incident_id: int, rectification_id: int):
    incident = ops.get_incident(current_user, incident_id)
    if not any(r.id == rectification_id for r in incident.rectifications):
        raise NotFound()
    data = load_body(RectificationDecisionInSchema())
    return RectificationSchema().dump(
        ops.decide_rectification(current_user, rectification_id, data["accept"], data["opinion"])
    )


@api_bp.post("/incidents/<int:incident_id>/restore")
@doc(
    "Operator: restore services after an accepted rectification; the observation period starts (C5.5, C4.11)",
    response_schema=IncidentSchema,
    tag="incidents",
)
def restore_incident_api(incident_id: int):
    return IncidentSchema().dump(ops.restore(current_user, incident_id))


@api_bp.post("/incidents/<int:incident_id>/renewal-approval")
@doc(
    "National center: approve renewal after the observation period (C4.11)",
    response_schema=IncidentSchema,
    tag="incidents",
)
def approve_renewal_api(incident_id: int):
    return IncidentSchema().dump(ops.approve_renewal(current_user, incident_id))
