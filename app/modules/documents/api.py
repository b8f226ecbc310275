"""Documents API: the forms of an application as PDF, blank forms, and verification by code (S9)."""

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields

from app.core.http.api import api_bp, doc
from app.core.jurisdiction import get_application
from app.core.schema_fields import ZonedDateTime
from app.modules.documents import operations as ops
from app.modules.documents.signing import signature_valid
from app.modules.documents.views import pdf_response


class DocumentSchema(Schema):
    code = fields.String()
    kind = fields.String()
    application_number = fields.Function(lambda d: d.application.number)
    owner = fields.Function(lambda d: d.application.applicant.name)
    version = fields.Integer()
    current = fields.Boolean()
    issued_at = ZonedDateTime(attribute="created_at")
    superseded_at = ZonedDateTime(allow_none=True)
    application_status = fields.String()
    pages = fields.Integer()
    sha256 = fields.String(attribute="file_sha256")
    signature = fields.String(metadata={"description": "Ed25519 over the SHA-256 digest, base64"})
    signing_key_id = fields.String()
    signature_valid = fields.Function(lambda d: signature_valid(d.file_sha256, d.signature))


class CheckSchema(Schema):
    genuine = fields.Boolean()
    sha256 = fields.String()
    document = fields.Nested(DocumentSchema)


@api_bp.get("/applications/<int:app_id>/forms/<kind>")
@doc(
    "The application's form (form1, form2 or form3) as an A4 PDF with its anti-forgery code (C7.4)",
    tag="documents",
    produces=("application/pdf",),
)
def download_form_api(app_id: int, kind: str):
    app = get_application(current_user, app_id)
    document = ops.issue(app, kind, current_user)
    return pdf_response(ops.stored_pdf(document), f"{app.number}-{kind}-v{document.version}.pdf")


@api_bp.get("/forms/blank/<kind>")
@doc(
    "A blank form for offline filling (no anti-forgery code)",
    tag="documents",
    public=True,
    produces=("application/pdf",),
)
def blank_form_api(kind: str):
    return pdf_response(ops.blank_form(kind), f"blank-{kind}.pdf")


@api_bp.get("/verify/<code>")
@doc(
    "Public: what the platform issued under an anti-forgery code (S9)",
    response_schema=DocumentSchema,
    tag="documents",
    public=True,
)
def verify_api(code: str):
    return DocumentSchema().dump(ops.find_by_code(code))


@api_bp.post("/verify/<code>/check")
@doc(
    "Public: compare a PDF (the raw request body) with the document issued under the code: same bytes → genuine",
    response_schema=CheckSchema,
    tag="documents",
    public=True,
    raw_body=("application/pdf",),
)
def check_api(code: str):
    document = ops.find_by_code(code)
    result = ops.check_upload(document, request.stream)
    return CheckSchema().dump({"genuine": result.genuine, "sha256": result.sha256, "document": document})
