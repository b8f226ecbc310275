from flask import Blueprint

from app.modules.incidents import views

bp = Blueprint("incidents", __name__, template_folder="templates")
bp.add_url_rule("/incidents", "incidents", views.incidents, methods=["GET", "POST"])
bp.add_url_rule("/incidents/<int:incident_id>", "incident_detail", views.incident_detail)
bp.add_url_rule("/incidents/<int:incident_id>/evidence", "upload_evidence", views.upload_evidence, methods=["POST"])
bp.add_url_rule("/incidents/<int:incident_id>/evidence/<int:evidence_id>", "download_evidence", views.download_evidence)
for _name in ("confirm", "dismiss", "restore"):
    bp.add_url_rule(
        f"/incidents/<int:incident_id>/{_name}",
        f"{_name}_incident",
        getattr(views, f"{_name}_incident"),
        methods=["POST"],
    )
bp.add_url_rule(
    "/incidents/<int:incident_id>/rectifications", "file_rectification", views.file_rectification, methods=["POST"]
)
bp.add_url_rule(
    "/incidents/<int:incident_id>/rectifications/<int:rectification_id>/decision",
    "decide_rectification",
    views.decide_rectification,
    methods=["POST"],
)
bp.add_url_rule(
    "/incidents/<int:incident_id>/renewal-approval", "approve_renewal", views.approve_renewal, methods=["POST"]
)
