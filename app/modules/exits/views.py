"""Exit pages (C6.1–C6.6): apply, provincial opinions, national decision, operator notification and forced exits,
the channel's push notice and announcement during the transition, the deletion certificate."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import DomainError
from app.core.http.forms import apply_error, choices, run_posted
from app.core.http.pagination import paginate
from app.core.i18n import gettext as _
from app.core.i18n import localized
from app.core.jurisdiction import visible_channels
from app.core.permissions import P, may
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.channels.models import Channel
from app.modules.channels.rules import CONNECTED
from app.modules.exits import operations as ops
from app.modules.exits.certificate import decision, files_removed_from, summary
from app.modules.exits.forms import AnnouncementForm, ExitForm, ForcedExitForm, OpinionForm
from app.modules.exits.models import CAUSES, DeletionCertificate, Exit


def _channel_choices():
    query = visible_channels(current_user).where(Channel.status.in_(CONNECTED)).order_by(Channel.id)
    return choices([(c.id, f"{c.name} ({c.channel_number or '-'})") for c in db.session.scalars(query)])


def _cause_choices():
    return choices([(k, localized(v)) for k, v in CAUSES.items() if k != "parent_exit"])


def exits():
    apply_form = forced_form = None
    if may(current_user, P.exit_apply):
        apply_form = ExitForm(channel_id=request.args.get("channel_id", type=int))
        apply_form.channel_id.choices = _channel_choices()
    if may(current_user, P.exit_manage):
        forced_form = ForcedExitForm(channel_id=request.args.get("channel_id", type=int))
        forced_form.channel_id.choices = _channel_choices()
        forced_form.cause.choices = _cause_choices()
    for form, action in ((apply_form, _apply), (forced_form, _force)):
        if form is not None and form.validate_on_submit():
            try:
                exit_ = action(form)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                flash(_("已提交"), "success")
                return redirect(url_for("exits.exit_detail", exit_id=exit_.id))
    page = paginate(ops.visible_exits(current_user).order_by(Exit.id.desc()))
    return render_template("exits/list.html", page=page, apply_form=apply_form, forced_form=forced_form, causes=CAUSES)


def _apply(form):
    return ops.apply_exit(current_user, form.channel_id.data, form.requested_date.data, form.reason.data or "")


def _force(form):
    return ops.open_forced_exit(current_user, form.channel_id.data, form.cause.data, form.reason.data)


def exit_detail(exit_id: int):
    exit_ = ops.get_exit(current_user, exit_id)
    certificate = db.session.scalar(sa.select(DeletionCertificate).where(DeletionCertificate.exit_id == exit_.id))
    return render_template(
        "exits/detail.html",
        exit=exit_,
        causes=CAUSES,
        certificate=certificate,
        certificate_lines=summary(certificate) if certificate else [],
        certificate_decision=decision(certificate) if certificate else "",
        files_removed_from=files_removed_from(certificate, may(current_user, P.exit_manage)) if certificate else "",
        opinion_form=OpinionForm(),
        announcement_form=AnnouncementForm(),
        action_form=ActionForm(),
        my_province=current_user.region_code,
    )


def _run(exit_id: int, form, action, done: str):
    ops.get_exit(current_user, exit_id)  # 404 outside the scope first
    run_posted(form, action, done)
    return redirect(url_for("exits.exit_detail", exit_id=exit_id))


def give_opinion(exit_id: int):
    return _run(
        exit_id,
        OpinionForm(),
        lambda f: ops.give_opinion(current_user, exit_id, f.decision.data == "approve", f.opinion.data or ""),
        _("已保存"),
    )


def national_decide(exit_id: int):
    return _run(
        exit_id,
        OpinionForm(),
        lambda f: ops.national_decide(current_user, exit_id, f.decision.data == "approve", f.opinion.data or ""),
        _("已保存"),
    )


def notify_exit(exit_id: int):
    return _run(exit_id, ActionForm(), lambda f: ops.notify(current_user, exit_id), _("已通知，退出过渡期开始"))


def confirm_push_notice(exit_id: int):
    return _run(exit_id, ActionForm(), lambda f: ops.confirm_push_notice(current_user, exit_id), _("已确认"))


def record_announcement(exit_id: int):
    return _run(
        exit_id,
        AnnouncementForm(),
        lambda f: ops.record_announcement(current_user, exit_id, f.url.data, f.start.data, f.end.data),
        _("已保存"),
    )
