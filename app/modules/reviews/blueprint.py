from flask import Blueprint

from app.modules.reviews import views

bp = Blueprint("reviews", __name__, template_folder="templates")
bp.add_url_rule("/reviews", "queue", views.queue)
bp.add_url_rule("/reviews/<int:step_id>", "decide", views.decide, methods=["GET", "POST"])
