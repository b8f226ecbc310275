from flask import Blueprint

from app.modules.channels import views

bp = Blueprint("channels", __name__, template_folder="templates")
bp.add_url_rule("/channels", "list_channels", views.list_channels)
bp.add_url_rule("/channels/<int:channel_id>", "channel_detail", views.channel_detail)
bp.add_url_rule(
    "/channels/<int:channel_id>/platform-capability",
    "set_platform_capability",
    views.set_platform_capability,
    methods=["POST"],
)
bp.add_url_rule("/services", "list_services", views.list_services)
bp.add_url_rule("/services/new", "new_service", views.edit_service, methods=["GET", "POST"])
bp.add_url_rule("/services/<code>/edit", "edit_service", views.edit_service, methods=["GET", "POST"])
bp.add_url_rule("/channels/<int:channel_id>/contact", "change_contact", views.change_contact, methods=["POST"])
