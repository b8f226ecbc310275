from flask import Blueprint

from app.modules.documents import views

bp = Blueprint("documents", __name__, template_folder="templates")
bp.add_url_rule("/applications/<int:app_id>/forms/<kind>.pdf", "download_form", views.download_form)
bp.add_url_rule("/forms/blank/<kind>.pdf", "blank_form", views.blank_form)
bp.add_url_rule("/verify", "verify_lookup", views.verify_lookup, methods=["GET", "POST"])
bp.add_url_rule("/verify/public-key.pem", "public_key", views.public_key)
bp.add_url_rule("/verify/<code>", "verify", views.verify, methods=["GET", "POST"])
