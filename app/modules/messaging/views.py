"""The in-portal inbox (S8); message templates, the message record and deliveries for the operator (S1)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import DomainError, NotFound
from app.core.http.pagination import choice_arg, paginate
from app.core.i18n import current_locale, gettext
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.messaging import operations as ops
from app.modules.messaging.catalogue import CATEGORIES
from app.modules.messaging.delivery import retry
from app.modules.messaging.forms import TemplateForm, TemplateReviewForm
from app.modules.messaging.models import Delivery, Message
from app.modules.messaging.operations import inbox_query


def inbox():
    return render_template("messaging/inbox.html", page=paginate(inbox_query(current_user)))


def message_detail(message_id: int):
    message = db.session.scalar(inbox_query(current_user).where(Message.id == message_id))
    if message is None:
        raise NotFound()
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.commit()
    return render_template("messaging/message.html", message=message)


def _placeholders(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("，", ",").split(",") if p.strip()]


def message_templates():
    """S1: every template version with its review state; the operator proposes and reviews versions here."""
    return render_template(
        "messaging/templates.html",
        templates=ops.templates(),
        categories=CATEGORIES,
        form=TemplateForm(),
        review_form=TemplateReviewForm(),
    )


def propose_template():
    form = TemplateForm()
    if form.validate_on_submit():
        data = {f: form[f].data for f in ("code", "category", "sender_unit", "subject", "body")}
        try:
            ops.propose_template(current_user, data | {"placeholders": _placeholders(form.placeholders.data)})
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(gettext("已提交，待审核"), "success")
    else:
        flash(gettext("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("messaging.message_templates"))


def review_template(template_id: int):
    form = TemplateReviewForm()
    if form.validate_on_submit():
        try:
            ops.review_template(current_user, template_id, form.decision.data == "approve", form.note.data or "")
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(gettext("已保存"), "success")
    return redirect(url_for("messaging.message_templates"))


def message_record():
    """S1: every message sent, searchable; the e-mail/SMS deliveries that are waiting or failed, with retry."""
    text, category = request.args.get("q", "")[:100], choice_arg("category", CATEGORIES) or ""
    page = paginate(ops.search_messages(text, category))
    recipients = ops.recipient_names(page.items)  # one statement for the page's organisations and accounts
    open_deliveries = db.session.scalars(
        sa.select(Delivery).where(Delivery.status != "sent").order_by(Delivery.id.desc()).limit(100)
    ).all()
    return render_template(
        "messaging/record.html",
        page=page,
        q=text,
        category=category,
        categories=CATEGORIES,
        deliveries=open_deliveries,
        recipients=recipients,
        action_form=ActionForm(),
    )


def retry_delivery(delivery_id: int):
    if ActionForm().validate_on_submit():
        delivery = retry(delivery_id)
        if delivery is None:
            raise NotFound()
        flash(gettext("已重试") + f"：{delivery.status}", "success" if delivery.status == "sent" else "warning")
    return redirect(url_for("messaging.message_record"))
