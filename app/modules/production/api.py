"""Production-intake API (C2.7–C2.9, C7.3): file Form 3, upload the recordings (raw streamed bodies), the operator's
verification, and go-live with the production key. Submission and withdrawal use /applications/{id}/submit and
/withdraw, as for test intake."""

from flask import request
from flask_login import current_user

from app.core.enums import ApplicationKind, ApplicationStatus
from app.core.errors import NotFound, RuleViolation
from app.core.http.api import api_bp, doc, load_body
from app.core.http.downloads import send_stored_file
from app.core.jurisdiction import get_application, get_channel
from app.modules.accounts.operations import reauthenticate
from app.modules.applications.api import detail
from app.modules.key_issuance.api import IssuedKeySchema, ReauthInSchema
from app.modules.production import operations as ops
from app.modules.production import schemas as s
from app.modules.production.models import PLATFORMS

VIDEO_TYPES = ("video/mp4", "video/quicktime")


def production_detail(app) -> dict:
    editable = app.status in (ApplicationStatus.draft, ApplicationStatus.returned)
    extras = {
        "channel_id": ops.production_channel(app).id,
        "security_report_id": app.security_report_id,
        "report_reviewed_at": app.report_reviewed_at,
        "recordings": ops.current_recordings(app),
        "submission_problems": ops.submission_problems(app) if editable else [],
        "go_live_problems": ops.go_live_problems(app) if app.status == ApplicationStatus.approved else [],
    }
    return detail(app) | s.ProductionExtrasSchema().dump(extras)


def production_application(app_id: int):
    app = get_application(current_user, app_id)
    if app.kind != ApplicationKind.production:
        raise NotFound("正式入网申请不存在", "No such production application")
    return app


@api_bp.post("/channels/<int:channel_id>/production-applications")
@doc(
    "Start a production-intake application (Form 3, C2.8, C7.3) for a channel in integration testing",
    request_schema=s.ProductionInSchema,
    response_schema=s.ProductionDetailSchema,
    tag="production",
    status=201,
)
def create_production(channel_id: int):
    channel = get_channel(current_user, channel_id)
    app = ops.create_production_draft(current_user, channel, load_body(s.ProductionInSchema()))
    return production_detail(app), 201


@api_bp.get("/production-applications/<int:app_id>")
@doc(
    "A production application with its report, recordings, checklist and what is still missing",
    response_schema=s.ProductionDetailSchema,
    tag="production",
)
def get_production(app_id: int):
    return production_detail(production_application(app_id))


@api_bp.patch("/production-applications/<int:app_id>")
@doc(
    "Change Form 3's contact or security report while draft or returned",
    request_schema=s.ProductionInSchema,
    response_schema=s.ProductionDetailSchema,
    tag="production",
)
def update_production(app_id: int):
    app = production_application(app_id)
    return production_detail(ops.update_production_draft(current_user, app, load_body(s.ProductionInSchema())))


@api_bp.put("/production-applications/<int:app_id>/recordings/<platform>")
@doc(
    "Upload the iOS or Android recording (C2.9): the request body is the video itself (MP4 or QuickTime), streamed "
    "to storage; the file name goes in the `filename` query parameter. Size limit MAX_RECORDING_BYTES.",
    response_schema=s.RecordingSchema,
    tag="production",
    status=201,
    raw_body=VIDEO_TYPES,
    query={"filename": {"type": "string", "maxLength": 200}},
)
def upload_recording(app_id: int, platform: str):
    app = production_application(app_id)
    if platform not in PLATFORMS:
        raise NotFound("录屏类型只能是 ios 或 android", "A recording is for ios or android")
    if request.mimetype not in VIDEO_TYPES:
        raise RuleViolation(
            "录屏须以 video/mp4 或 video/quicktime 上传",
            "Send the recording as video/mp4 or video/quicktime",
            code="upload_type",
            fields={"file": ["video/mp4 or video/quicktime"]},
            status=415,
        )
    default = f"{platform}.{'mov' if request.mimetype == 'video/quicktime' else 'mp4'}"
    filename = request.args.get("filename") or default
    recording = ops.upload_recording(current_user, app, platform, request.stream, filename)
    return s.RecordingSchema().dump(recording), 201


@api_bp.get("/production-applications/<int:app_id>/recordings/<platform>")
@doc("Download a recording", tag="production", produces=("video/mp4", "video/quicktime"))
def download_recording(app_id: int, platform: str):
    recording = ops.get_recording(production_application(app_id), platform)
    return send_stored_file(recording.stored_name, recording.filename, recording.content_type)


@api_bp.put("/production-applications/<int:app_id>/recordings/<platform>/checklist")
@doc(
    "Operator: the operations seen in the recording, of the six C2.9 requires (the set replaces the previous one)",
    request_schema=s.ChecklistInSchema,
    response_schema=s.RecordingSchema,
    tag="production",
)
def check_recording(app_id: int, platform: str):
    app = production_application(app_id)
    steps = load_body(s.ChecklistInSchema())["steps"]
    return s.RecordingSchema().dump(ops.check_recording(current_user, app.id, platform, steps))


@api_bp.put("/production-applications/<int:app_id>/report-review")
@doc(
    "Operator: record that the security test report has been reviewed (C2.8)",
    request_schema=s.ReportReviewInSchema,
    response_schema=s.ProductionDetailSchema,
    tag="production",
)
def review_report(app_id: int):
    app = production_application(app_id)
    reviewed = load_body(s.ReportReviewInSchema())["reviewed"]
    return production_detail(ops.review_report(current_user, app.id, reviewed))


@api_bp.post("/production-applications/<int:app_id>/verification")
@doc(
    "Operator: approve (every checklist item ticked, report reviewed) or return the application with reasons (C2.8, "
    "C2.10)",
    request_schema=s.VerificationInSchema,
    response_schema=s.ProductionDetailSchema,
    tag="production",
)
def verify_production(app_id: int):
    app = production_application(app_id)
    data = load_body(s.VerificationInSchema())
    app = ops.verify(current_user, app.id, data["approve"], data["opinion"], data["contact"], data["phone"])
    return production_detail(app)


@api_bp.post("/production-applications/<int:app_id>/go-live")
@doc(
    "Operator: issue the production key; the channel goes live (C2.8). Needs reviews, verification and the "
    "countersigned agreement (except HR&SS and government channels). Reveals the key once, so the body "
    "re-authenticates the caller: password and current one-time code.",
    request_schema=ReauthInSchema,
    response_schema=IssuedKeySchema,
    tag="production",
    status=201,
)
def go_live(app_id: int):
    app = production_application(app_id)
    credentials = load_body(ReauthInSchema())
    reauthenticate(current_user, credentials["password"], credentials["otp"])
    issued = ops.go_live(current_user, app.id)
    return IssuedKeySchema().dump(issued), 201, {"Cache-Control": "no-store"}
