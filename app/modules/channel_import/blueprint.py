from flask import Blueprint

from app.modules.channel_import import views

bp = Blueprint("channel_import", __name__, template_folder="templates")
bp.add_url_rule("/channel-imports", "import_page", views.import_page, methods=["GET", "POST"])
bp.add_url_rule("/channel-imports/<int:import_id>", "import_detail", views.import_detail)
bp.add_url_rule("/channel-imports/<int:import_id>/keys", "issue_keys", views.issue_keys, methods=["POST"])
