from flask import Blueprint

from app.modules.applications import views

bp = Blueprint("applications", __name__, template_folder="templates")
bp.add_url_rule("/applications", "list_applications", views.list_applications)
bp.add_url_rule("/applications/new", "new_application", views.new_application, methods=["GET", "POST"])
bp.add_url_rule("/applications/<int:app_id>", "application_detail", views.application_detail)
bp.add_url_rule("/applications/<int:app_id>/edit", "edit_application", views.edit_application, methods=["GET", "POST"])
bp.add_url_rule("/applications/<int:app_id>/submit", "submit_application", views.submit_application, methods=["POST"])
bp.add_url_rule(
    "/applications/<int:app_id>/withdraw", "withdraw_application", views.withdraw_application, methods=["POST"]
)
bp.add_url_rule(
    "/applications/<int:app_id>/attachments", "upload_attachment", views.upload_attachment, methods=["POST"]
)
bp.add_url_rule(
    "/applications/<int:app_id>/attachments/<int:attachment_id>", "download_attachment", views.download_attachment
)
