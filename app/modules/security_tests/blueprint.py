from flask import Blueprint

from app.modules.security_tests import views

bp = Blueprint("security_tests", __name__, template_folder="templates")
bp.add_url_rule("/institutions", "institutions", views.institutions)
bp.add_url_rule("/institutions/new", "new_institution", views.new_institution, methods=["POST"])
bp.add_url_rule(
    "/institutions/<int:institution_id>/qualification", "set_qualification", views.set_qualification, methods=["POST"]
)
bp.add_url_rule("/channels/<int:channel_id>/security-reports", "channel_reports", views.channel_reports)
bp.add_url_rule(
    "/channels/<int:channel_id>/security-reports/new", "upload_report", views.upload_report, methods=["POST"]
)
bp.add_url_rule(
    "/channels/<int:channel_id>/major-change", "declare_major_change", views.declare_major_change, methods=["POST"]
)
bp.add_url_rule(
    "/channels/<int:channel_id>/security-reports/<int:report_id>/file", "download_report", views.download_report
)
bp.add_url_rule("/channels/<int:channel_id>/spot-checks", "order_spot_check", views.order_spot_check, methods=["POST"])
bp.add_url_rule("/spot-checks/<int:check_id>/result", "record_spot_check", views.record_spot_check, methods=["POST"])
