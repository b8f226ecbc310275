"""Application API: the same journeys as the UI (create, amend, upload, submit, withdraw, follow progress)."""

from flask import request
from flask_login import current_user

from app.core.enums import ApplicationKind, ApplicationStatus
from app.core.errors import RuleViolation
from app.core.http.api import api_bp, doc, load_body
from app.core.http.downloads import send_stored_file
from app.core.http.pagination import choice_arg, paginate
from app.core.jurisdiction import get_application, visible_applications
from app.modules.applications import aggregate
from app.modules.applications import operations as ops
from app.modules.applications import schemas as s
from app.modules.applications.models import Application
from app.modules.applications.parts import api_parts

LIST_QUERY = {
    "status": {"type": "string", "enum": [x.value for x in ApplicationStatus]},
    "page": {"type": "integer"},
    "per_page": {"type": "integer"},
}


def detail(app: Application) -> dict:
    """The application and what later domains add to it (its progress, S8: `parts.py`); a test intake still being
    written also says what would stop its submission (as production intake does)."""
    problems = []
    if app.kind == ApplicationKind.test and app.status in aggregate.EDITABLE:
        problems = s.ProblemSchema(many=True).dump(ops.submission_problems(app))
    return s.ApplicationSchema().dump(app) | api_parts(app, current_user) | {"submission_problems": problems}


@api_bp.get("/applications")
@doc(
    "Applications visible to the caller", response_schema=s.ApplicationListSchema, tag="applications", query=LIST_QUERY
)
def list_applications():
    query = visible_applications(current_user)
    status = choice_arg("status", ApplicationStatus)
    if status:
        query = query.where(Application.status == status)
    return s.ApplicationListSchema().dump(paginate(query.order_by(Application.id.desc())))


@api_bp.post("/applications")
@doc(
    "Create a test-intake application draft (Form 1, C2.6)",
    request_schema=s.ApplicationInSchema,
    response_schema=s.ApplicationDetailSchema,
    tag="applications",
    status=201,
)
def create_application():
    app = ops.create_draft(current_user, load_body(s.ApplicationInSchema()))
    return detail(app), 201


@api_bp.get("/applications/<int:app_id>")
@doc(
    "An application with its progress and timeline (S8)", response_schema=s.ApplicationDetailSchema, tag="applications"
)
def get_application_api(app_id: int):
    return detail(get_application(current_user, app_id))


@api_bp.put("/applications/<int:app_id>")
@doc(
    "Replace the content of a draft or returned application",
    request_schema=s.ApplicationInSchema,
    response_schema=s.ApplicationDetailSchema,
    tag="applications",
)
def update_application(app_id: int):
    app = get_application(current_user, app_id)
    data = load_body(s.ApplicationInSchema())
    return detail(ops.update_draft(current_user, app, data))


@api_bp.post("/applications/<int:app_id>/submit")
@doc(
    "Submit or resubmit (C2.2 eligibility and supplements are checked)",
    response_schema=s.ApplicationDetailSchema,
    tag="applications",
)
def submit_application(app_id: int):
    return detail(ops.submit(current_user, get_application(current_user, app_id)))


@api_bp.post("/applications/<int:app_id>/withdraw")
@doc("Withdraw an application not yet approved", response_schema=s.ApplicationDetailSchema, tag="applications")
def withdraw_application(app_id: int):
    return detail(aggregate.withdraw(current_user, get_application(current_user, app_id)))


@api_bp.post("/applications/<int:app_id>/attachments")
@doc(
    "Upload an attachment (multipart: kind, file); size- and type-checked",
    request_schema=s.AttachmentInSchema,
    response_schema=s.AttachmentSchema,
    tag="applications",
    status=201,
)
def upload_attachment(app_id: int):
    app = get_application(current_user, app_id)
    upload = request.files.get("file")
    if upload is None:
        raise RuleViolation(
            "请选择要上传的文件", "Choose a file to upload", code="validation_error", fields={"file": ["required"]}
        )
    attachment = ops.add_attachment(current_user, app, request.form.get("kind", ""), upload.stream, upload.filename)
    return s.AttachmentSchema().dump(attachment), 201


@api_bp.get("/applications/<int:app_id>/attachments/<int:attachment_id>")
@doc(
    "Download an attachment (PDF, JPEG or PNG as uploaded)",
    tag="applications",
    produces=("application/pdf", "image/jpeg", "image/png"),
)
def download_attachment(app_id: int, attachment_id: int):
    attachment = ops.get_attachment(get_application(current_user, app_id), attachment_id)
    return send_stored_file(attachment.stored_name, attachment.filename, attachment.content_type)
