from flask import Blueprint

from app.modules.monitoring import views

bp = Blueprint("monitoring", __name__, template_folder="templates")
bp.add_url_rule("/monitoring", "monitoring_overview", views.monitoring_overview)
bp.add_url_rule("/monitoring/export.csv", "export_overview", views.export_overview)
bp.add_url_rule("/monitoring/evaluate", "run_evaluation", views.run_evaluation, methods=["POST"])
bp.add_url_rule("/channels/<int:channel_id>/monitoring", "channel_monitoring", views.channel_monitoring)
bp.add_url_rule("/channels/<int:channel_id>/improvement-plans", "file_plan", views.file_plan, methods=["POST"])
bp.add_url_rule("/improvement-plans/<int:plan_id>/decision", "decide_plan", views.decide_plan, methods=["POST"])
bp.add_url_rule(
    "/channels/<int:channel_id>/renewal-objection", "object_to_renewal", views.object_to_renewal, methods=["POST"]
)
bp.add_url_rule("/statistics/import", "import_page", views.import_page, methods=["GET", "POST"])
