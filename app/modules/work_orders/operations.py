"""Work-order verbs (C4.6): the owner files a user's problem for one of its channels (never with an ID number in it);
the operator assigns, answers and closes it and flags common problems, public-opinion issues and malicious
complaints; the time to the first answer and to closing is measured and shown (S13)."""

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import Role, WorkOrderStatus, WorkOrderTag
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.jurisdiction import get_channel, visible
from app.core.permissions import P, may
from app.core.timeutil import utcnow
from app.core.transaction import transactional
from app.core.validation import refuse_id_numbers
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.applications.numbering import daily_number
from app.modules.channels.rules import CONNECTED
from app.modules.messaging.operations import send, send_to_operators
from app.modules.work_orders.models import WorkOrder, WorkOrderEntry


def visible_work_orders(user):
    """A company sees its own organisation's work orders; the operator and the auditor see all (C1.4; registered in
    work_orders/scope.py)."""
    return visible("work_order", user)


def search(user, status: str | None = None, tag: str | None = None):
    """The caller's work orders, optionally of one status or carrying one tag, newest first."""
    query = visible_work_orders(user)
    if status in WorkOrderStatus.__members__:
        query = query.where(WorkOrder.status == status)
    if tag in WorkOrderTag.__members__:
        query = query.where(sa.cast(WorkOrder.tags, sa.Text).contains(f'"{tag}"'))
    return query.order_by(WorkOrder.id.desc())


def get_work_order(user, work_order_id: int, *, lock: bool = False) -> WorkOrder:
    query = visible_work_orders(user).where(WorkOrder.id == work_order_id)
    work_order = db.session.scalar(query.with_for_update() if lock else query)
    if work_order is None:
        raise NotFound("工单不存在", "No such work order")
    return work_order


def snapshot(work_order: WorkOrder) -> dict:
    return {
        "number": work_order.number,
        "status": str(work_order.status),
        "assignee_id": work_order.assignee_id,
        "tags": list(work_order.tags or []),
    }


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise RuleViolation(
            f"请填写内容（不超过 {limit} 字）",
            f"Give the text (at most {limit} characters)",
            fields={field: ["required" if not value else "too long"]},
        )
    return value


def _add_entry(work_order: WorkOrder, user, kind: str, body: str = "") -> None:
    db.session.add(WorkOrderEntry(work_order=work_order, kind=kind, body=body, author_id=user.id))


def _context(work_order: WorkOrder) -> dict:
    return {"number": work_order.number, "subject": work_order.subject, "channel": work_order.channel.name}


@transactional
def file_work_order(user, channel_id: int, subject: str, description: str) -> WorkOrder:
    """C4.6: the owner files a problem for one of its channels; no personal ID number may appear in the text."""
    channel = get_channel(user, channel_id)
    if not may(user, P.work_order_file):
        raise NotFound()
    subject, description = _text(subject, "subject", 200), _text(description, "description", 5000)
    refuse_id_numbers({"subject": subject, "description": description})
    if channel.status not in CONNECTED:
        raise Conflict(
            f"渠道当前状态为“{channel.status.title_zh}”，不能提交工单",
            f"The channel is {channel.status.title_en.lower()}; it cannot file work orders",
            code="C4.6",
        )
    work_order = WorkOrder(
        number=daily_number("W", "wo"),
        channel=channel,
        organisation_id=channel.owner_id,
        filed_by_id=user.id,
        subject=subject,
        description=description,
        status=WorkOrderStatus.open,
        tags=[],
    )
    db.session.add(work_order)
    _add_entry(work_order, user, "filed", description)
    db.session.flush()
    audit.record("work_order.file", work_order, after=snapshot(work_order), actor=user)
    send_to_operators("work_order.filed", _context(work_order) | {"owner": channel.owner.name}, work_order)
    return work_order


def _require(user, permission: P) -> None:
    if not may(user, permission):
        raise Forbidden("无权办理此工单操作", "You may not do this to a work order")


def _guard_open(work_order: WorkOrder) -> None:
    if work_order.status == WorkOrderStatus.closed:
        raise Conflict("工单已关闭", "The work order is closed", code="closed")


def _operator(user_id) -> User:
    assignee = db.session.get(User, user_id) if user_id else None
    if assignee is None or not may(assignee, P.work_order_handle) or not assignee.active:
        raise RuleViolation(
            "只能分派给在用的平台运营人员", "Assign to an active operator account", fields={"assignee_id": ["invalid"]}
        )
    return assignee


@transactional
def assign(user, work_order_id: int, assignee_id: int) -> WorkOrder:
    """C4.6: the operator hands the work order to one of its staff."""
    _require(user, P.work_order_handle)
    work_order = get_work_order(user, work_order_id, lock=True)
    _guard_open(work_order)
    assignee = _operator(assignee_id)
    before = snapshot(work_order)
    work_order.assignee_id, work_order.assigned_at = assignee.id, utcnow()
    if work_order.status == WorkOrderStatus.open:
        work_order.status = WorkOrderStatus.assigned
    _add_entry(work_order, user, "assigned", assignee.display_name)
    audit.record("work_order.assign", work_order, before=before, after=snapshot(work_order), actor=user)
    send("work_order.assigned", _context(work_order) | {"by": user.display_name}, work_order, user_id=assignee.id)
    return work_order


@transactional
def answer(user, work_order_id: int, body: str) -> WorkOrder:
    """C4.6: the operator answers; the first answer fixes the response time (S13). An unassigned order is taken by
    the operator who answers it."""
    _require(user, P.work_order_handle)
    work_order = get_work_order(user, work_order_id, lock=True)
    _guard_open(work_order)
    body = _text(body, "body", 5000)
    refuse_id_numbers({"body": body})
    before = snapshot(work_order)
    now = utcnow()
    if work_order.assignee_id is None:
        work_order.assignee_id, work_order.assigned_at = user.id, now
    work_order.first_answered_at = work_order.first_answered_at or now
    work_order.status = WorkOrderStatus.answered
    _add_entry(work_order, user, "answer", body)
    audit.record("work_order.answer", work_order, before=before, after=snapshot(work_order), actor=user)
    send(
        "work_order.answered",
        _context(work_order) | {"answer": body},
        work_order,
        organisation_id=work_order.organisation_id,
    )
    return work_order


@transactional
def reply(user, work_order_id: int, body: str) -> WorkOrder:
    """The channel adds to its work order (more facts, or the answer did not help): it goes back to the operator."""
    _require(user, P.work_order_file)
    work_order = get_work_order(user, work_order_id, lock=True)
    _guard_open(work_order)
    body = _text(body, "body", 5000)
    refuse_id_numbers({"body": body})
    before = snapshot(work_order)
    if work_order.status == WorkOrderStatus.answered:
        work_order.status = WorkOrderStatus.assigned
    _add_entry(work_order, user, "reply", body)
    audit.record("work_order.reply", work_order, before=before, after=snapshot(work_order), actor=user)
    send_to_operators("work_order.replied", _context(work_order), work_order)
    return work_order


@transactional
def set_tags(user, work_order_id: int, tags: list[str]) -> WorkOrder:
    """C4.6: common problems, public-opinion issues and malicious complaints are flagged (and can be unflagged)."""
    _require(user, P.work_order_handle)
    work_order = get_work_order(user, work_order_id, lock=True)
    unknown = [t for t in tags if t not in WorkOrderTag.__members__]
    if unknown:
        raise RuleViolation(
            f"未知的标记：{', '.join(unknown)}", f"Unknown tag(s): {', '.join(unknown)}", fields={"tags": unknown}
        )
    wanted = [t.value for t in WorkOrderTag if t.value in tags]
    if wanted == list(work_order.tags or []):
        return work_order
    before = snapshot(work_order)
    work_order.tags = wanted
    _add_entry(work_order, user, "tags", ",".join(wanted))
    audit.record("work_order.tag", work_order, before=before, after=snapshot(work_order), actor=user)
    return work_order


@transactional
def close(user, work_order_id: int, note: str) -> WorkOrder:
    """C4.6: the operator closes the work order with a closing note; the owner is told."""
    _require(user, P.work_order_handle)
    work_order = get_work_order(user, work_order_id, lock=True)
    _guard_open(work_order)
    note = _text(note, "note", 2000)
    refuse_id_numbers({"note": note})
    before = snapshot(work_order)
    work_order.status, work_order.closed_at = WorkOrderStatus.closed, utcnow()
    _add_entry(work_order, user, "closed", note)
    audit.record("work_order.close", work_order, before=before, after=snapshot(work_order), actor=user)
    send(
        "work_order.closed",
        _context(work_order) | {"note": note},
        work_order,
        organisation_id=work_order.organisation_id,
    )
    return work_order


def hours(start, end) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds() / 3600, 1)


@dataclass
class ResponseFigures:
    """S13 timeliness of work orders: how many, how many still open, first-response and closing times in hours, and
    the share answered within WORK_ORDER_RESPONSE_HOURS."""

    total: int
    open: int
    answered: int
    median_first_response_h: float | None
    mean_first_response_h: float | None
    median_to_close_h: float | None
    within_target: float | None
    target_h: int
    overdue: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def response_figures(user) -> ResponseFigures:
    """S13: response times over the work orders `user` sees (one query)."""
    orders = db.session.execute(
        visible_work_orders(user).with_only_columns(
            WorkOrder.created_at, WorkOrder.first_answered_at, WorkOrder.closed_at, WorkOrder.status
        )
    ).all()
    target = current_app.config["WORK_ORDER_RESPONSE_HOURS"]
    first = [hours(o.created_at, o.first_answered_at) for o in orders if o.first_answered_at]
    closing = [hours(o.created_at, o.closed_at) for o in orders if o.closed_at]
    deadline = utcnow() - timedelta(hours=target)
    overdue = sum(1 for o in orders if o.first_answered_at is None and o.status != "closed" and o.created_at < deadline)
    return ResponseFigures(
        total=len(orders),
        open=sum(1 for o in orders if o.status != "closed"),
        answered=len(first),
        median_first_response_h=round(median(first), 1) if first else None,
        mean_first_response_h=round(sum(first) / len(first), 1) if first else None,
        median_to_close_h=round(median(closing), 1) if closing else None,
        within_target=round(sum(1 for h in first if h <= target) / len(first), 3) if first else None,
        target_h=target,
        overdue=overdue,
    )


def operators() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == Role.operator, User.active).order_by(User.id)))
