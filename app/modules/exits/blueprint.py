from flask import Blueprint

from app.modules.exits import views

bp = Blueprint("exits", __name__, template_folder="templates")
bp.add_url_rule("/exits", "exits", views.exits, methods=["GET", "POST"])
bp.add_url_rule("/exits/<int:exit_id>", "exit_detail", views.exit_detail)
for _name, _path in (
    ("give_opinion", "opinion"),
    ("national_decide", "decision"),
    ("notify_exit", "notify"),
    ("confirm_push_notice", "push-notice"),
    ("record_announcement", "announcement"),
):
    bp.add_url_rule(f"/exits/<int:exit_id>/{_path}", _name, getattr(views, _name), methods=["POST"])
