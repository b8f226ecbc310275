from flask import Blueprint

from app.modules.key_issuance import views

bp = Blueprint("key_issuance", __name__, template_folder="templates")
bp.add_url_rule("/applications/<int:app_id>/issue", "issue", views.issue, methods=["GET", "POST"])
bp.add_url_rule("/keys/<key_id>/<action>", "key_action", views.key_action, methods=["GET", "POST"])
