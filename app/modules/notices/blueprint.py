from flask import Blueprint

from app.modules.notices import views

bp = Blueprint("notices", __name__, template_folder="templates")
bp.add_url_rule("/notices", "notices", views.notices, methods=["GET", "POST"])
bp.add_url_rule("/notices/reminders", "send_reminders", views.send_reminders, methods=["POST"])
bp.add_url_rule("/notices/<int:notice_id>", "notice_detail", views.notice_detail)
bp.add_url_rule(
    "/notices/<int:notice_id>/acknowledge", "acknowledge_notice", views.acknowledge_notice, methods=["POST"]
)
bp.add_url_rule("/channel-notices", "channel_notices", views.channel_notices, methods=["GET", "POST"])
