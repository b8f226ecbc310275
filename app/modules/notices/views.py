"""Notice pages: platform notices, their acknowledgements and who has not (C4.3); channels' own notices and the
operator's calendar (C4.4)."""

from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.enums import ChannelCategory, NoticeKind
from app.core.errors import DomainError
from app.core.http.forms import apply_error, choices, enum_choices
from app.core.http.pagination import paginate
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import visible_channels
from app.core.permissions import P, may
from app.core.timeutil import from_local, local
from app.extensions import db
from app.modules.accounts.forms import ActionForm
from app.modules.applications.views import region_choices
from app.modules.channels.models import Channel
from app.modules.channels.rules import CONNECTED
from app.modules.notices import operations as ops
from app.modules.notices.forms import ChannelNoticeForm, NoticeForm
from app.modules.notices.models import PlatformNotice


def _notice_form() -> NoticeForm:
    form = NoticeForm()
    form.kind.choices = enum_choices(NoticeKind)
    form.categories.choices = enum_choices(ChannelCategory)
    form.levels.choices = choices([(1, _("一级渠道")), (2, _("二级渠道"))])
    form.region_codes.choices = choices(region_choices())
    return form


def notices():
    """The notice list; the operator publishes from here."""
    page = paginate(ops.visible_notices(current_user).order_by(PlatformNotice.id.desc()))
    form = _notice_form() if may(current_user, P.notice_publish) else None
    if form is not None and form.validate_on_submit():
        data = {name: form[name].data for name in ("kind", "title", "body", "categories", "levels", "region_codes")}
        data |= {"starts_at": from_local(form.starts_at.data), "ends_at": from_local(form.ends_at.data)}
        try:
            notice = ops.publish_notice(current_user, data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("公告已发布"), "success")
            return redirect(url_for("notices.notice_detail", notice_id=notice.id))
    counts = ops.acknowledgement_counts([n.id for n in page.items])
    return render_template("notices/list.html", page=page, form=form, counts=counts)


def notice_detail(notice_id: int):
    notice = ops.get_notice(current_user, notice_id)
    pending = request.args.get("unacknowledged") == "1"
    return render_template(
        "notices/detail.html",
        notice=notice,
        recipients=ops.recipients_of(current_user, notice, pending),
        pending=pending,
        counts=ops.acknowledgement_counts([notice.id]).get(notice.id, (0, 0)),
        form=ActionForm(),
        is_owner=may(current_user, P.notice_acknowledge),
    )


def acknowledge_notice(notice_id: int):
    if ActionForm().validate_on_submit():
        ops.acknowledge(current_user, notice_id, request.form.get("channel_id", type=int) or 0)
        flash(_("已确认知悉"), "success")
    return redirect(url_for("notices.notice_detail", notice_id=notice_id))


def send_reminders():
    if ActionForm().validate_on_submit():
        flash(_("已发送提醒：{n}", n=ops.send_reminders()), "success")
    return redirect(url_for("notices.notices"))


def _channel_notice_form() -> ChannelNoticeForm:
    form = ChannelNoticeForm(channel_id=request.args.get("channel_id", type=int))
    query = visible_channels(current_user).where(Channel.status.in_(CONNECTED)).order_by(Channel.id)
    form.channel_id.choices = choices(
        [(c.id, f"{c.name} ({c.channel_number or '-'})") for c in db.session.scalars(query)]
    )
    form.kind.choices = choices([(k.value, k.title(current_locale())) for k in ops.CHANNEL_KINDS])
    return form


def channel_notices():
    """C4.4: the calendar of channels' own notices for a month; the owner files a new one here."""
    month = request.args.get("month") or None
    try:
        start, end = ops.month_bounds(month)
    except DomainError as exc:
        flash(exc.message(current_locale()), "danger")
        start, end = ops.month_bounds(None)
    form = _channel_notice_form() if may(current_user, P.maintenance_file) else None
    if form is not None and form.validate_on_submit():
        data = {"kind": form.kind.data, "description": form.description.data}
        data |= {"starts_at": from_local(form.starts_at.data), "ends_at": from_local(form.ends_at.data)}
        try:
            ops.file_channel_notice(current_user, form.channel_id.data, data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已报备"), "success")
            return redirect(url_for("notices.channel_notices"))
    days = defaultdict(list)
    for notice in ops.calendar(current_user, start, end):
        days[local(notice.starts_at)[:10]].append(notice)
    return render_template(
        "notices/calendar.html", days=dict(days), form=form, month=local(start + (end - start) / 2)[:7]
    )
