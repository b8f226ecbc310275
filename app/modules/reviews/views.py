"""Review pages: the queue of pending steps in the reviewer's jurisdiction, and the decision form (C2.10)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from app.core.enums import Stage
from app.core.errors import DomainError, NotFound
from app.core.http.forms import apply_error
from app.core.http.pagination import paginate
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jurisdiction import get_application
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.applications.kinds import kind_of
from app.modules.applications.models import Application
from app.modules.regions.operations import mainland_provinces
from app.modules.reviews.forms import DecisionForm
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.operations import decide_refusal, decide_step, round_steps
from app.modules.reviews.progress import progress
from app.modules.reviews.scope import review_queue


def queue():
    """C2.6, S13: the steps waiting for this reviewer, oldest first, a page at a time, with the days each has waited;
    the same number of statements for a page of 25 as for one of 3."""
    query = review_queue(current_user).options(
        contains_eager(ReviewStep.application).joinedload(Application.applicant),
        contains_eager(ReviewStep.application).selectinload(Application.rows),
        joinedload(ReviewStep.region),
    )
    return render_template("reviews/queue.html", page=paginate(query), today=utcnow().date())


def _visible_step(step_id: int) -> ReviewStep:
    step = db.session.get(ReviewStep, step_id)
    if step is None:
        raise NotFound()
    get_application(current_user, step.application_id)
    return step


def _granted_from_form(app) -> dict | None:
    if not any(key.startswith("granted-") for key in request.form):
        return None
    return {row.id: request.form.getlist(f"granted-{row.id}") for row in app.rows}


def decide(step_id: int):
    step = _visible_step(step_id)
    app = step.application
    form = DecisionForm()
    if request.method == "GET":
        form.contact.data, form.phone.data = current_user.display_name, current_user.phone
    if form.validate_on_submit():
        try:
            granted = _granted_from_form(app) if step.stage == Stage.national else None
            decide_step(
                current_user,
                step.id,
                form.decision.data == "approve",
                form.opinion.data or "",
                form.contact.data,
                form.phone.data,
                granted,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("审核意见已提交"), "success")
            return redirect(url_for("reviews.queue"))
    refusal = decide_refusal(current_user, step)
    provinces = mainland_provinces() if step.stage == Stage.national and app.national_scope else []
    extra = kind_of(app).review_context(app)
    return render_template(
        "reviews/decide.html",
        step=step,
        app=app,
        form=form,
        progress=progress(app, current_user),
        refusal=refusal.message(current_locale()) if refusal else None,
        siblings=round_steps(app, step.round),
        provinces=provinces,
        **extra,
    )
