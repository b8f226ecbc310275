from flask import Blueprint

from app.modules.work_orders import views

bp = Blueprint("work_orders", __name__, template_folder="templates")
bp.add_url_rule("/work-orders", "list_work_orders", views.list_work_orders)
bp.add_url_rule("/work-orders/new", "new_work_order", views.new_work_order, methods=["GET", "POST"])
bp.add_url_rule("/work-orders/<int:work_order_id>", "work_order_detail", views.work_order_detail)
for _name, _path in (
    ("assign", "assign"),
    ("answer", "answer"),
    ("reply", "reply"),
    ("tag", "tags"),
    ("close", "close"),
):
    bp.add_url_rule(
        f"/work-orders/<int:work_order_id>/{_path}",
        f"{_name}_work_order",
        getattr(views, f"{_name}_work_order"),
        methods=["POST"],
    )
