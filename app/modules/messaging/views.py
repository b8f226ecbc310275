"""The in-portal inbox (S8)."""

from flask import render_template
from flask_login import current_user

from app.core.errors import NotFound
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.messaging.models import Message
from app.modules.messaging.operations import inbox_query
from app.web.pagination import paginate


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
    from app.modules.messaging.catalogue import CATEGORIES
    from app.modules.messaging.forms import TemplateForm, TemplateReviewForm
    from app.modules.messaging.operations import templates

    return render_template(
        "messaging/templates.html",
        templates=templates(),
        categories=CATEGORIES,
        form=TemplateForm(),
        review_form=TemplateReviewForm(),
    )


def propose_template():
    from flask import flash, redirect, url_for

    from app.core.errors import DomainError
    from app.core.i18n import current_locale, gettext
    from app.modules.messaging.forms import TemplateForm
    from app.modules.messaging.operations import propose_template as propose

    form = TemplateForm()
    if form.validate_on_submit():
        data = {f: form[f].data for f in ("code", "category", "sender_unit", "subject", "body")}
        try:
            propose(current_user, data | {"placeholders": _placeholders(form.placeholders.data)})
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(gettext("已提交，待审核"), "success")
    else:
        flash(gettext("表单有误，请检查标红的项目"), "danger")
    return redirect(url_for("messaging.message_templates"))


def review_template(template_id: int):
    from flask import flash, redirect, url_for

    from app.core.errors import DomainError
    from app.core.i18n import current_locale, gettext
    from app.modules.messaging.forms import TemplateReviewForm
    from app.modules.messaging.operations import review_template as review

    form = TemplateReviewForm()
    if form.validate_on_submit():
        try:
            review(current_user, template_id, form.decision.data == "approve", form.note.data or "")
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(gettext("已保存"), "success")
    return redirect(url_for("messaging.message_templates"))


def message_record():
    """S1: every message sent, searchable; the e-mail/SMS deliveries that are waiting or failed, with retry."""
    import sqlalchemy as sa
    from flask import request

    from app.modules.accounts.forms import ActionForm
    from app.modules.messaging.catalogue import CATEGORIES
    from app.modules.messaging.models import Delivery
    from app.modules.messaging.operations import search_messages

    text, category = request.args.get("q", "")[:100], request.args.get("category", "")
    page = paginate(search_messages(text, category))
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
        action_form=ActionForm(),
    )


def retry_delivery(delivery_id: int):
    from flask import flash, redirect, url_for

    from app.core.i18n import gettext
    from app.modules.accounts.forms import ActionForm
    from app.modules.messaging.delivery import retry

    if ActionForm().validate_on_submit():
        delivery = retry(delivery_id)
        if delivery is None:
            raise NotFound()
        flash(gettext("已重试") + f"：{delivery.status}", "success" if delivery.status == "sent" else "warning")
    return redirect(url_for("messaging.message_record"))
