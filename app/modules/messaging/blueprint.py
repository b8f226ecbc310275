from flask import Blueprint

from app.modules.messaging import views

bp = Blueprint("messaging", __name__, template_folder="templates")
bp.add_url_rule("/inbox", "inbox", views.inbox)
bp.add_url_rule("/inbox/<int:message_id>", "message_detail", views.message_detail)
