"""Work-order pages (C4.6): the owner files and follows up; the operator assigns, answers, flags and closes; the list
shows the response times (S13)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.enums import WorkOrderStatus, WorkOrderTag
from app.core.errors import DomainError
from app.core.http.forms import apply_error, choices, enum_choices, run_posted
from app.core.http.pagination import choice_arg, paginate
from app.core.i18n import gettext as _
from app.core.jurisdiction import visible_channels
from app.core.permissions import P, may
from app.extensions import db
from app.modules.channels.models import Channel
from app.modules.channels.rules import CONNECTED
from app.modules.work_orders import operations as ops
from app.modules.work_orders.forms import AssignForm, CloseForm, TagsForm, TextForm, WorkOrderForm


def list_work_orders():
    status, tag = choice_arg("status", WorkOrderStatus) or "", choice_arg("tag", WorkOrderTag) or ""
    return render_template(
        "work_orders/list.html",
        page=paginate(ops.search(current_user, status, tag)),
        figures=ops.response_figures(current_user),
        statuses=WorkOrderStatus,
        tags=WorkOrderTag,
        status=status,
        tag=tag,
    )


def _channel_choices() -> list:
    query = visible_channels(current_user).where(Channel.status.in_(CONNECTED)).order_by(Channel.id)
    return choices([(c.id, f"{c.name} ({c.channel_number or '-'})") for c in db.session.scalars(query)])


def new_work_order():
    form = WorkOrderForm(channel_id=request.args.get("channel_id", type=int))
    form.channel_id.choices = _channel_choices()
    if form.validate_on_submit():
        try:
            work_order = ops.file_work_order(
                current_user, form.channel_id.data, form.subject.data, form.description.data
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("工单已提交"), "success")
            return redirect(url_for("work_orders.work_order_detail", work_order_id=work_order.id))
    return render_template("work_orders/new.html", form=form)


def work_order_detail(work_order_id: int):
    work_order = ops.get_work_order(current_user, work_order_id)
    assign_form = AssignForm(assignee_id=work_order.assignee_id)
    assign_form.assignee_id.choices = choices([(u.id, u.display_name) for u in ops.operators()])
    tags_form = TagsForm(tags=work_order.tags)
    tags_form.tags.choices = enum_choices(WorkOrderTag)
    return render_template(
        "work_orders/detail.html",
        work_order=work_order,
        text_form=TextForm(),
        assign_form=assign_form,
        tags_form=tags_form,
        close_form=CloseForm(),
        is_operator=may(current_user, P.work_order_handle),
        is_owner=may(current_user, P.work_order_file),
        closed=work_order.status == WorkOrderStatus.closed,
        hours=ops.hours,
        tag_enum=WorkOrderTag,
    )


def _act(work_order_id: int, form, action, done: str):
    """Run one work-order action from a posted form; refusals (ID number, closed order) are shown on the page."""
    ops.get_work_order(current_user, work_order_id)  # 404 before anything else
    run_posted(form, action, done)
    return redirect(url_for("work_orders.work_order_detail", work_order_id=work_order_id))


def assign_work_order(work_order_id: int):
    form = AssignForm()
    form.assignee_id.choices = choices([(u.id, u.display_name) for u in ops.operators()])
    return _act(work_order_id, form, lambda f: ops.assign(current_user, work_order_id, f.assignee_id.data), _("已分派"))


def answer_work_order(work_order_id: int):
    return _act(work_order_id, TextForm(), lambda f: ops.answer(current_user, work_order_id, f.body.data), _("已答复"))


def reply_work_order(work_order_id: int):
    return _act(work_order_id, TextForm(), lambda f: ops.reply(current_user, work_order_id, f.body.data), _("已补充"))


def tag_work_order(work_order_id: int):
    form = TagsForm()
    form.tags.choices = enum_choices(WorkOrderTag)
    return _act(work_order_id, form, lambda f: ops.set_tags(current_user, work_order_id, f.tags.data), _("已保存"))


def close_work_order(work_order_id: int):
    return _act(work_order_id, CloseForm(), lambda f: ops.close(current_user, work_order_id, f.note.data), _("已关闭"))
