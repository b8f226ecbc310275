from flask import Blueprint

from app.modules.agreements import views

bp = Blueprint("agreements", __name__, template_folder="templates")
bp.add_url_rule("/agreements", "agreements", views.agreements)
bp.add_url_rule("/agreements/versions", "publish_version", views.publish_version, methods=["POST"])
bp.add_url_rule("/agreements/versions/<int:version_id>", "version_detail", views.version_detail)
bp.add_url_rule(
    "/channels/<int:channel_id>/agreements/<int:version_id>/sign", "sign", views.sign, methods=["GET", "POST"]
)
bp.add_url_rule("/agreements/<int:agreement_id>/countersign", "countersign", views.countersign, methods=["POST"])
