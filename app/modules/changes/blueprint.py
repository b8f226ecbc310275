from flask import Blueprint

from app.modules.changes import views

bp = Blueprint("changes", __name__, template_folder="templates")
bp.add_url_rule("/channels/<int:channel_id>/change", "change_channel", views.change_channel, methods=["GET", "POST"])
bp.add_url_rule("/applications/<int:app_id>/change-decision", "decide_change", views.decide_change, methods=["POST"])
