"""Promotion pages (C4.5): the owner files and reports; HR&SS reviews flagged ones; the operator sees all."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import DomainError
from app.core.http.forms import apply_error, choices
from app.core.http.pagination import paginate
from app.core.i18n import gettext as _
from app.core.jurisdiction import visible_channels
from app.core.permissions import P, may
from app.core.timeutil import today
from app.extensions import db
from app.modules.channels.models import Channel
from app.modules.promotions import operations as ops
from app.modules.promotions.forms import PromotionForm, PromotionReportForm, PromotionReviewForm
from app.modules.promotions.models import Promotion


def promotions():
    form = None
    if may(current_user, P.promotion_file):
        form = PromotionForm(channel_id=request.args.get("channel_id", type=int))
        live = visible_channels(current_user).where(Channel.status == "live").order_by(Channel.id)
        form.channel_id.choices = choices([(c.id, c.name) for c in db.session.scalars(live)])
    if form is not None and form.validate_on_submit():
        data = {n: form[n].data for n in ("title", "description", "starts_on", "ends_on", "uses_hrss_wording")}
        try:
            promotion = ops.file_promotion(current_user, form.channel_id.data, data | {"wording": form.wording.data})
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已报备"), "success")
            return redirect(url_for("promotions.promotion_detail", promotion_id=promotion.id))
    page = paginate(ops.visible_promotions(current_user).order_by(Promotion.id.desc()))
    return render_template("promotions/list.html", page=page, form=form, may_start=ops.may_start)


def promotion_detail(promotion_id: int):
    promotion = ops.get_promotion(current_user, promotion_id)
    owner = may(current_user, P.promotion_file)
    return render_template(
        "promotions/detail.html",
        promotion=promotion,
        may_start=ops.may_start(promotion),
        review_form=PromotionReviewForm() if ops.review_refusal(current_user, promotion) is None else None,
        report_form=PromotionReportForm()
        if owner and ops.may_start(promotion) and promotion.reported_at is None and promotion.starts_on <= today()
        else None,
    )


def review_promotion(promotion_id: int):
    promotion = ops.get_promotion(current_user, promotion_id)
    form = PromotionReviewForm()
    if form.validate_on_submit():
        try:
            ops.review_promotion(current_user, promotion.id, form.decision.data == "approve", form.opinion.data or "")
        except DomainError as exc:
            apply_error(form, exc)
            return render_template("promotions/detail.html", promotion=promotion, may_start=False, review_form=form)
        flash(_("已保存"), "success")
    return redirect(url_for("promotions.promotion_detail", promotion_id=promotion.id))


def report_promotion(promotion_id: int):
    promotion = ops.get_promotion(current_user, promotion_id)
    form = PromotionReportForm()
    if form.validate_on_submit():
        data = {n: form[n].data for n in ("result_form", "result_summary", "participants")}
        try:
            ops.report_results(current_user, promotion.id, data)
        except DomainError as exc:
            apply_error(form, exc)
            return render_template("promotions/detail.html", promotion=promotion, may_start=True, report_form=form)
        flash(_("已保存"), "success")
    return redirect(url_for("promotions.promotion_detail", promotion_id=promotion.id))
