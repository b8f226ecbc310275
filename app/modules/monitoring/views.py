"""Monitoring pages (C3.6, C4.7–C4.11): the operator's overview with export, evaluation by hand, improvement plans and
job runs; a channel's figures as charts with the thresholds, its notices, alerts, plans and renewals; CSV upload."""

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from app.core.enums import ChannelCategory
from app.core.errors import DomainError
from app.core.http.forms import apply_error, run_posted
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.jobs import recent_runs
from app.core.jurisdiction import get_channel
from app.core.permissions import P, acts_for, may
from app.core.timeutil import today
from app.extensions import db
from app.modules.agreements import renewal as renewals
from app.modules.channels.panels import register_panel
from app.modules.monitoring import improvement
from app.modules.monitoring import overview as ov
from app.modules.monitoring.alerts import open_alerts
from app.modules.monitoring.evaluation import evaluate
from app.modules.monitoring.forms import EvaluationForm, ImportForm, ObjectionForm, PlanDecisionForm, PlanForm
from app.modules.monitoring.imports import ImportRefused, import_statistics
from app.modules.monitoring.models import EvaluationRun
from app.modules.monitoring.operations import statistics_of
from app.modules.monitoring.rules import evaluable_month
from app.modules.regions.operations import region_choices


def monitoring_overview():
    filters = ov.filters(request.args)
    runs = db.session.scalars(sa.select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(10)).all()
    missing, missing_total = ov.unresolved_missing()
    return render_template(
        "monitoring/overview.html",
        page=ov.overview(**filters),
        regions=region_choices(current_locale()),
        missing_total=missing_total,
        filters=filters,
        states=ov.STATES,
        categories=ChannelCategory,
        runs=runs,
        jobs=recent_runs(10),
        missing=missing,
        plans=improvement.pending_plans(),
        evaluation_form=EvaluationForm(),
        decision_form=PlanDecisionForm(),
        outcome=None,
    )


def export_overview():
    lines = ov.export_csv(current_user, **ov.filters(request.args))
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=monitoring.csv"},
    )


def run_evaluation():
    form = EvaluationForm()
    if not form.validate_on_submit():
        flash(_("月份格式应为 YYYY-MM"), "danger")
        return redirect(url_for("monitoring.monitoring_overview"))
    try:
        month = evaluable_month(form.month.data, today())
    except DomainError as exc:
        flash(exc.message(current_locale()), "danger")
        return redirect(url_for("monitoring.monitoring_overview"))
    outcome = evaluate(month, dry_run=form.dry_run.data, trigger="operator")
    if form.dry_run.data:
        db.session.rollback()
    else:
        db.session.commit()
    flash(
        _(
            "{month}：新增通知 {n} 条、告警 {a} 条，状态变化 {c} 条",
            month=form.month.data,
            n=outcome.notices,
            a=outcome.alerts,
            c=len(outcome.changes),
        )
        + (_("（预览，未写入）") if form.dry_run.data else ""),
        "success",
    )
    return redirect(url_for("monitoring.monitoring_overview"))


def channel_monitoring(channel_id: int):
    channel = get_channel(current_user, channel_id)
    points = ov.series_of(channel)
    owner = acts_for(current_user, channel.owner_id)
    return render_template(
        "monitoring/channel.html",
        channel=channel,
        points=points,
        charts={
            "new_issuance": ov.chart(points, "new_issuance", "issuance_threshold"),
            "cumulative_issuance": ov.chart(points, "cumulative_issuance", None),
            "monthly_active_users": ov.chart(points, "monthly_active_users", "mau_threshold"),
        },
        records=ov.records_of(channel),
        plans=improvement.plans_of(channel),
        renewals=renewals.renewals_of(channel),
        alerted=bool(open_alerts(channel)),
        plan_form=PlanForm() if owner else None,
        objection_form=ObjectionForm() if may(current_user, P.agreement_manage) else None,
    )


def file_plan(channel_id: int):
    channel = get_channel(current_user, channel_id)
    run_posted(PlanForm(), lambda f: improvement.file_plan(current_user, channel.id, f.body.data), _("已提交，待审核"))
    return redirect(url_for("monitoring.channel_monitoring", channel_id=channel.id))


def decide_plan(plan_id: int):
    plan = improvement.get_plan(plan_id)
    run_posted(
        PlanDecisionForm(),
        lambda f: improvement.decide_plan(current_user, plan.id, f.decision.data == "approve", f.opinion.data or ""),
        _("已保存"),
    )
    return redirect(url_for("monitoring.channel_monitoring", channel_id=plan.channel_id))


def object_to_renewal(channel_id: int):
    channel = get_channel(current_user, channel_id)
    run_posted(
        ObjectionForm(), lambda f: renewals.object_to_renewal(current_user, channel, f.objection.data), _("已保存")
    )
    return redirect(url_for("monitoring.channel_monitoring", channel_id=channel.id))


def import_page():
    """CSV upload: a company for its channels (portal), the operator for every channel (bulk import)."""
    form = ImportForm()
    result, problems = None, []
    if form.validate_on_submit():
        source = "import" if may(current_user, P.monitoring_manage) else "portal"
        try:
            result = import_statistics(current_user, form.file.data.read(), source=source).as_dict()
        except ImportRefused as exc:
            problems = exc.problems
            flash(exc.message(current_locale()), "danger")
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已导入"), "success")
    return render_template("monitoring/import.html", form=form, result=result, problems=problems)


def _channel_panel(channel, user) -> dict | None:
    """C3.6: the channel's last 24 figures, every version."""
    statistics = statistics_of(channel)[:24]
    return {"statistics": statistics} if statistics else None


register_panel(30, "monitoring/_channel_panel.html", _channel_panel)
