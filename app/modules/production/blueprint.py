from flask import Blueprint

from app.modules.production import views

bp = Blueprint("production", __name__, template_folder="templates")
bp.add_url_rule(
    "/channels/<int:channel_id>/production/new", "new_production", views.new_production, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/applications/<int:app_id>/production", "edit_production", views.edit_production, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/applications/<int:app_id>/recordings/<platform>", "upload_recording", views.upload_recording, methods=["POST"]
)
bp.add_url_rule("/applications/<int:app_id>/recordings/<platform>/file", "download_recording", views.download_recording)
bp.add_url_rule("/applications/<int:app_id>/verify", "verify", views.verify, methods=["GET", "POST"])
bp.add_url_rule("/applications/<int:app_id>/go-live", "go_live", views.go_live, methods=["GET", "POST"])
