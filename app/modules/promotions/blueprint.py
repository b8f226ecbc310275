from flask import Blueprint

from app.modules.promotions import views

bp = Blueprint("promotions", __name__, template_folder="templates")
bp.add_url_rule("/promotions", "promotions", views.promotions, methods=["GET", "POST"])
bp.add_url_rule("/promotions/<int:promotion_id>", "promotion_detail", views.promotion_detail)
bp.add_url_rule("/promotions/<int:promotion_id>/review", "review_promotion", views.review_promotion, methods=["POST"])
bp.add_url_rule("/promotions/<int:promotion_id>/report", "report_promotion", views.report_promotion, methods=["POST"])
