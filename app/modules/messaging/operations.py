"""Messages (S1, S8): every message is rendered from a reviewed template, shows its sending unit, lands in the in-portal
inbox, and is copied by e-mail and SMS to the recipients who have them (delivered later by `deliver_pending`, so a
failing gateway never blocks the action that sent the message). Every message sent is kept and searchable."""

import string

import sqlalchemy as sa

from app.core import audit
from app.core.enums import Role
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.permissions import P, may
from app.core.timeutil import utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.accounts.models import Organisation, User
from app.modules.messaging.catalogue import CATEGORIES
from app.modules.messaging.models import Delivery, Message, MessageTemplate


class TemplateMissing(RuntimeError):
    """The code asked for a template that has no approved version: a programming or seeding error."""


def template_for(code: str) -> MessageTemplate:
    """The newest approved version of a template."""
    template = db.session.scalar(
        sa.select(MessageTemplate)
        .where(MessageTemplate.code == code, MessageTemplate.status == "approved")
        .order_by(MessageTemplate.version.desc())
        .limit(1)
    )
    if template is None:
        raise TemplateMissing(f"no approved message template {code!r}")
    return template


def render(template: MessageTemplate, context: dict) -> tuple[str, str, str]:
    """(sender unit, subject, body); values are shown as given ('' for None)."""
    values = {k: ("" if v is None else v) for k, v in context.items()}
    return tuple(text.format_map(values) for text in (template.sender_unit, template.subject, template.body))


def send(code: str, context: dict, obj=None, *, organisation_id=None, user_id=None) -> Message:
    """Put a message from the template `code` in an organisation's or a user's inbox, with e-mail/SMS copies queued."""
    template = template_for(code)
    sender, subject, body = render(template, context)
    message = Message(
        organisation_id=organisation_id,
        user_id=user_id,
        category=template.category,
        sender_unit=sender[:100],
        subject=subject[:200],
        body=body,
        template_id=template.id,
        object_type=getattr(obj, "__tablename__", None),
        object_id=str(obj.id) if obj is not None and obj.id is not None else None,
    )
    db.session.add(message)
    db.session.flush()
    _queue_copies(message)
    return message


def send_many(code: str, items: list[tuple[dict, str, int | None, int]]) -> int:
    """Send one template to many organisations with a bounded number of statements, whatever their number (used by
    the monthly evaluation): `items` are (context, object type, object id, organisation id). The messages are
    inserted in one statement; their e-mail and SMS copies in one statement per channel."""
    if not items:
        return 0
    template = template_for(code)
    stamp = utcnow()
    rows = []
    for context, object_type, object_id, organisation_id in items:
        sender, subject, body = render(template, context)
        rows.append(
            dict(
                organisation_id=organisation_id,
                user_id=None,
                category=template.category,
                sender_unit=sender[:100],
                subject=subject[:200],
                body=body,
                template_id=template.id,
                object_type=object_type,
                object_id=None if object_id is None else str(object_id),
                created_at=stamp,
            )
        )
    # A Core insert, one statement for all rows, without RETURNING (psycopg would rewrite every batch of it); the
    # copies find the new messages by their moment and template (created_at is indexed).
    db.session.execute(Message.__table__.insert(), rows)
    for channel, column in (("email", User.email), ("sms", User.phone)):
        copies = (
            sa.select(
                Message.id,
                User.id,
                sa.literal(channel),
                column,
                sa.literal("pending"),
                sa.literal(0),
                sa.literal(""),
                sa.literal(stamp, sa.DateTime()),
                sa.literal(stamp, sa.DateTime()),
            )
            .join(User, User.organisation_id == Message.organisation_id)
            .where(Message.created_at == stamp, Message.template_id == template.id, User.active, column != "")
        )
        db.session.execute(
            sa.insert(Delivery).from_select(
                [
                    "message_id",
                    "user_id",
                    "channel",
                    "address",
                    "status",
                    "attempts",
                    "last_error",
                    "next_attempt_at",
                    "created_at",
                ],
                copies,
            )
        )
    return len(rows)


DIGEST_LINES = 100  # lines named in one digest message; the rest are counted


def listing(lines: list[str], page: str) -> str:
    """The body lines of a digest: the first DIGEST_LINES, then how many more there are and on which page."""
    shown = lines[:DIGEST_LINES]
    if len(lines) > DIGEST_LINES:
        shown.append(f"……另有 {len(lines) - DIGEST_LINES} 个渠道，请在{page}查看")
    return "\n".join(shown)


def send_owner_digests(code: str, lines_by_owner: dict[int, list[str]], page: str) -> int:
    """One message per organisation listing its lines (context `count`, `channels`), with `send_many`."""
    items = [
        ({"count": len(lines), "channels": listing(lines, page)}, "organisation", owner_id, owner_id)
        for owner_id, lines in lines_by_owner.items()
    ]
    return send_many(code, items)


def send_to_operators(code: str, context: dict, obj=None) -> None:
    """Every active operator account gets the message in its own inbox."""
    for operator_id in db.session.scalars(sa.select(User.id).where(User.role == Role.operator, User.active)):
        send(code, context, obj, user_id=operator_id)


def _recipients(message: Message) -> list[User]:
    if message.user_id is not None:
        return [db.session.get(User, message.user_id)]
    return list(db.session.scalars(sa.select(User).where(User.organisation_id == message.organisation_id, User.active)))


def _queue_copies(message: Message) -> None:
    for user in _recipients(message):
        for channel, address in (("email", user.email), ("sms", user.phone)):
            if address:
                db.session.add(Delivery(message_id=message.id, user_id=user.id, channel=channel, address=address))


def inbox_query(user):
    """The user's own messages and those of their organisation."""
    clauses = [Message.user_id == user.id]
    if user.organisation_id:
        clauses.append(Message.organisation_id == user.organisation_id)
    return sa.select(Message).where(sa.or_(*clauses)).order_by(Message.created_at.desc(), Message.id.desc())


def unread_count(user) -> int:
    query = inbox_query(user).where(Message.read_at.is_(None)).order_by(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def search_messages(text: str = "", category: str = "", organisation_id: int | None = None):
    """S1: every message sent is kept on record and can be searched (operator and auditor)."""
    query = sa.select(Message)
    if text:
        like = f"%{text}%"
        query = query.where(sa.or_(Message.subject.like(like), Message.body.like(like), Message.sender_unit.like(like)))
    if category in CATEGORIES:
        query = query.where(Message.category == category)
    if organisation_id:
        query = query.where(Message.organisation_id == organisation_id)
    return query.order_by(Message.created_at.desc(), Message.id.desc())


def recipient_names(messages) -> dict[tuple[str, int], str]:
    """S1: who each message went to, by name — {("organisation", id) | ("user", id): name} — in two statements."""
    org_ids = {m.organisation_id for m in messages if m.organisation_id}
    user_ids = {m.user_id for m in messages if m.user_id and not m.organisation_id}
    names = {}
    if org_ids:
        rows = db.session.execute(sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids)))
        names |= {("organisation", i): name for i, name in rows}
    if user_ids:
        rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(user_ids)))
        names |= {("user", i): name for i, name in rows}
    return names


def placeholders_in(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise RuleViolation(
            f"模板格式有误：{exc}", f"Malformed template: {exc}", code="template_syntax", fields={"body": [str(exc)]}
        ) from exc


def check_template(data: dict) -> None:
    """S1: a template uses only the placeholders it declares (plain names), in a known category."""
    declared = set(data.get("placeholders") or [])
    bad_names = sorted(p for p in declared if not p.isidentifier())
    used = set().union(*(placeholders_in(data.get(f) or "") for f in ("sender_unit", "subject", "body")))
    unknown = sorted(used - declared)
    fields = {}
    if bad_names or any(not p or not p.isidentifier() for p in used):
        fields["placeholders"] = ["placeholders are plain names such as {number}"]
    if unknown:
        fields["body"] = [f"unknown placeholders: {', '.join(unknown)}"]
    if data.get("category") not in CATEGORIES:
        fields["category"] = ["business, notice or publicity"]
    if fields:
        raise RuleViolation(
            "模板使用了未声明的占位符或类别有误：" + "、".join(unknown or bad_names or ["category"]),
            "The template uses undeclared placeholders or a wrong category: "
            + ", ".join(unknown or bad_names or ["category"]),
            code="S1",
            fields=fields,
        )


def _require_operator(user) -> None:
    if not may(user, P.message_template_manage):
        raise Forbidden("只有平台运营机构管理消息模板", "Only the platform operator manages message templates")


@transactional
def propose_template(user, data: dict) -> MessageTemplate:
    """A new template, or a new version of one: pending until reviewed (S1)."""
    _require_operator(user)
    code = (data.get("code") or "").strip()
    if not code or len(code) > 64:
        raise RuleViolation("请填写模板编码", "Give the template code", fields={"code": ["required"]})
    check_template(data)
    latest = db.session.scalar(sa.select(sa.func.max(MessageTemplate.version)).where(MessageTemplate.code == code))
    template = MessageTemplate(
        code=code,
        version=(latest or 0) + 1,
        category=data["category"],
        sender_unit=data["sender_unit"].strip(),
        subject=data["subject"].strip(),
        body=data["body"],
        placeholders=sorted(set(data.get("placeholders") or [])),
        status="pending_review",
        created_by_id=user.id,
    )
    db.session.add(template)
    db.session.flush()
    audit.record("template.propose", template, actor=user, after={"code": code, "version": template.version})
    return template


@transactional
def review_template(user, template_id: int, approve: bool, note: str = "") -> MessageTemplate:
    """S1: another operator than the author approves or rejects the version before it may be used."""
    _require_operator(user)
    template = db.session.get(MessageTemplate, template_id)
    if template is None:
        raise NotFound("模板不存在", "No such template")
    if template.status != "pending_review":
        raise Conflict("该模板版本已审核", "This version has already been reviewed", code="already_reviewed")
    if template.created_by_id == user.id:
        raise Forbidden("模板须由作者以外的运营人员审核", "A template is reviewed by an operator other than its author")
    if not approve and not note.strip():
        raise RuleViolation("不通过时请说明理由", "Give the reason for rejecting", fields={"note": ["required"]})
    template.status = "approved" if approve else "rejected"
    template.reviewed_by_id, template.reviewed_at, template.review_note = user.id, utcnow(), note.strip()
    audit.record(
        "template.review", template, actor=user, before={"status": "pending_review"}, after={"status": template.status}
    )
    return template


def templates() -> list[MessageTemplate]:
    return list(db.session.scalars(sa.select(MessageTemplate).order_by(MessageTemplate.code, MessageTemplate.version)))
