from flask import Blueprint

from app.modules.key_issuance import views

bp = Blueprint("key_issuance", __name__, template_folder="templates")
bp.add_url_rule("/applications/<int:app_id>/issue", "issue", views.issue, methods=["GET", "POST"])
