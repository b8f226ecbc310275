from flask import Blueprint

from app.modules.audit_log import views

bp = Blueprint("audit_log", __name__, template_folder="templates")
bp.add_url_rule("/audit", "audit_log", views.audit_log)
