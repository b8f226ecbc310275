from flask import Blueprint

from app.modules.messaging import views

bp = Blueprint("messaging", __name__, template_folder="templates")
bp.add_url_rule("/inbox", "inbox", views.inbox)
bp.add_url_rule("/inbox/<int:message_id>", "message_detail", views.message_detail)
bp.add_url_rule("/message-templates", "message_templates", views.message_templates)
bp.add_url_rule("/message-templates/new", "propose_template", views.propose_template, methods=["POST"])
bp.add_url_rule(
    "/message-templates/<int:template_id>/review", "review_template", views.review_template, methods=["POST"]
)
bp.add_url_rule("/messages", "message_record", views.message_record)
bp.add_url_rule("/deliveries/<int:delivery_id>/retry", "retry_delivery", views.retry_delivery, methods=["POST"])
