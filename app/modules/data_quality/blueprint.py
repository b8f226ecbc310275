from flask import Blueprint

from app.modules.data_quality import views

bp = Blueprint("data_quality", __name__, template_folder="templates")
bp.add_url_rule("/data-quality", "data_quality", views.data_quality)
bp.add_url_rule("/data-quality/export.csv", "export", views.export)
