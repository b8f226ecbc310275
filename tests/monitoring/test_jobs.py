"""Scheduled jobs and the checks they run: missing reports (C3.6), agreement renewal at expiry (C4.11) with improvement
plans, each period run once (`run_job`), one scheduler per database (the lease and its fencing token), the schedule
itself, and `flask monitoring run` by hand with --dry-run."""

import json
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import jobs
from app.core.audit import AuditEntry, verify_chain
from app.core.errors import Conflict, RuleViolation
from app.core.jobs import JobRun, daily_checks, run_job
from app.core.scheduler import Leadership, Lease, LeaseLost, SchedulerLease, build_scheduler
from app.extensions import db
from app.modules.agreements import renewal as renewals
from app.modules.agreements.models import Agreement
from app.modules.messaging.models import Message
from app.modules.monitoring import improvement
from app.modules.monitoring.alerts import open_alerts
from app.modules.monitoring.jobs import check_missing_reports, monthly_evaluation
from app.modules.monitoring.models import MissingReport, MonitoringRecord
from tests.monitoring.test_evaluation import BANK, live, report, run
from tests.web.test_workbench import Statements


def _inbox(org_id, text):
    return [
        m for m in db.session.scalars(sa.select(Message).where(Message.organisation_id == org_id)) if text in m.subject
    ]


def test_c3_6_a_level1_channel_missing_a_month_is_flagged_once_and_resolved_when_it_reports(world):
    channel = live(world, **BANK)
    assert check_missing_reports(date(2026, 3, 9)) == {"month": "2026-02", "due": False}
    report(channel, "2026-01", [(100, 100, 50)])
    result = check_missing_reports(date(2026, 3, 10))
    assert result["flagged"] == 1
    [flag] = db.session.scalars(sa.select(MissingReport)).all()
    assert flag.month == date(2026, 2, 1) and flag.missing == [channel.channel_number]
    assert _inbox(world.org_a.id, "未按时报送 2026-02")
    assert check_missing_reports(date(2026, 3, 11))["flagged"] == 0  # flagged once
    report(channel, "2026-02", [(100, 200, 50)])
    assert check_missing_reports(date(2026, 3, 12))["resolved"] == 1
    db.session.refresh(flag)
    assert flag.resolved_at is not None


def _term_end(channel) -> date:
    return db.session.scalar(sa.select(sa.func.max(Agreement.term_end)).where(Agreement.channel_id == channel.id))


def test_c4_11_a_clean_channel_is_warned_then_renewed_for_a_year(world):
    channel = live(world, **BANK)
    end = _term_end(channel)
    assert renewals.check_renewals(end - timedelta(days=10)) == {"warned": 1}
    assert renewals.check_renewals(end - timedelta(days=9)) == {}  # warned once
    assert _inbox(world.org_a.id, "合作协议到期提醒：1 个渠道")
    assert renewals.check_renewals(end + timedelta(days=1)) == {"renewed": 1}
    assert _term_end(channel) == end.replace(year=end.year + 1)
    [decided] = _inbox(world.org_a.id, "合作协议到期处理结果：1 个渠道")
    assert channel.forced_exit_cause is None and "已续签，新的协议期限至" in decided.body


def _alerted(world):
    """A bank channel alerted at the end of its improvement period (C4.9)."""
    channel = live(world, **BANK)
    report(channel, "2026-01", [(50, 50, 1), (30, 80, 1), (30, 110, 1), (30, 140, 1), (1, 141, 1), (1, 142, 1)])
    report(channel, "2026-07", [(1, 143, 1)])
    for month in ("2026-04", "2026-05", "2026-06", "2026-07"):
        run(month)
    assert open_alerts(channel)
    return channel


def test_c4_11_c6_4_an_alerted_channel_without_an_approved_plan_is_not_renewed_and_marked_for_forced_exit(world):
    channel = _alerted(world)
    end = _term_end(channel)
    assert renewals.check_renewals(end + timedelta(days=1)) == {"not_renewed": 1}
    assert channel.forced_exit_cause == "agreement_not_renewed" and _term_end(channel) == end
    [decided] = _inbox(world.org_a.id, "合作协议到期处理结果")
    assert "未续签（" in decided.body and "已列入强制退出" in decided.body
    operators = db.session.scalars(sa.select(Message).where(Message.subject.contains("未续签 1 个"))).all()
    assert operators and all(m.user_id is not None for m in operators)


def test_c4_11_an_approved_improvement_plan_resolves_the_alert_and_allows_renewal(world):
    channel = _alerted(world)
    with pytest.raises(RuleViolation):
        improvement.file_plan(world.company_a, channel.id, "")
    plan = improvement.file_plan(world.company_a, channel.id, "增加线下推广网点，优化领卡流程")
    with pytest.raises(Conflict):
        improvement.file_plan(world.company_a, channel.id, "第二份")
    with pytest.raises(RuleViolation):
        improvement.decide_plan(world.operator, plan.id, False, "")
    improvement.decide_plan(world.operator, plan.id, True, "同意")
    alert = db.session.scalar(sa.select(MonitoringRecord).where(MonitoringRecord.kind == "alert"))
    assert alert.status == "resolved" and alert.events[-1].reason == "运营提升方案已获同意"
    assert renewals.check_renewals(_term_end(channel) + timedelta(days=1)) == {"renewed": 1}


def test_c4_11_an_operator_objection_stops_the_automatic_renewal(world):
    channel = live(world, **BANK)
    renewals.object_to_renewal(world.operator, channel, "多次投诉未整改")
    assert renewals.check_renewals(_term_end(channel) + timedelta(days=1)) == {"not_renewed": 1}
    assert "多次投诉未整改" in renewals.renewals_of(channel)[0].reason


def _decide_cohort(world, renewing: int, objected: int):
    """Channels whose terms all end on the same day (an imported cohort): decided the day after, statements counted."""
    channels = [live(world, **BANK) for _ in range(renewing + objected)]
    for channel in channels[renewing:]:
        renewals.object_to_renewal(world.operator, channel, "多次投诉未整改")
    (end,) = {_term_end(c) for c in channels}
    with Statements(db.engine) as statements:
        outcome = renewals.check_renewals(end + timedelta(days=1))
    assert outcome == {"renewed": renewing, "not_renewed": objected}
    for channel in channels:
        [renewal] = renewals.renewals_of(channel)
        assert renewal.outcome == ("renewed" if channel in channels[:renewing] else "not_renewed")
    return statements.count


def test_c4_11_issue_17_terms_ending_together_are_decided_in_a_constant_number_of_statements(world):
    one_each = _decide_cohort(world, 1, 1)
    assert _decide_cohort(world, 3, 2) == one_each
    decided = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("agreement.%renewed"))).all()
    assert sorted(e.action for e in decided) == ["agreement.not_renewed"] * 3 + ["agreement.renewed"] * 4
    assert verify_chain().first_bad is None


def test_each_job_period_runs_once_and_a_failed_run_leaves_nothing(app, world):
    calls = []
    assert run_job("test_job", "2026-01", lambda: calls.append(1) or "done")["result"] == "done"
    assert run_job("test_job", "2026-01", lambda: calls.append(1))["skipped"] is True
    assert calls == [1]

    def crash():
        db.session.add(MissingReport(channel_id=1, month=date(2026, 1, 1), missing=[]))
        raise RuntimeError("crash half-way")

    with pytest.raises(RuntimeError):
        run_job("test_job", "2026-02", crash)
    assert db.session.scalar(sa.select(JobRun.id).where(JobRun.period == "2026-02")) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MissingReport)) == 0
    assert run_job("test_job", "2026-02", lambda: "second time")["result"] == "second time"


def test_the_monthly_job_evaluates_the_month_before_and_the_daily_checks_run_once_a_day(world):
    channel = live(world, **BANK)
    report(channel, "2026-01", [(40, 40, 1), (30, 70, 1), (29, 99, 1)])
    result = monthly_evaluation(date(2026, 4, 5))
    assert result["period"] == "2026-03" and result["result"]["notices"] == 2
    assert monthly_evaluation(date(2026, 4, 6))["skipped"] is True
    first = daily_checks(date(2026, 4, 12))
    assert set(first) >= {"monthly_evaluation", "missing_reports", "renewals", "security_reports", "notice_reminders"}
    again = daily_checks(date(2026, 4, 12))
    assert all(r["skipped"] for name, r in again.items() if name != "exits")


@pytest.mark.commits  # the lease is written in statements of its own, as the scheduler writes it
def test_only_one_scheduler_holds_the_lease_and_a_takeover_fences_the_old_leader(app, world):
    first, second = Lease(db.engine, 30), Lease(db.engine, 30)
    assert first.acquire() == 1 and second.acquire() is None and first.renew()
    db.session.execute(sa.update(SchedulerLease).values(expires_at=datetime(2000, 1, 1)))  # first stops renewing
    db.session.commit()
    assert second.acquire() == 2  # a takeover: the fencing token moves on
    assert not first.renew()  # the old leader learns it at its next heartbeat
    with jobs.fenced(first.check), pytest.raises(LeaseLost):  # whatever it still claims commits nothing
        run_job("probe", "2026-12-07", lambda: "work")
    db.session.rollback()
    with jobs.fenced(second.check):
        assert run_job("probe", "2026-12-07", lambda: "work")["result"] == "work"
    row = db.session.scalar(sa.select(JobRun).where(JobRun.job == "probe"))
    assert row.fencing_token == 2
    second.release()
    assert first.acquire() == 3  # released: free at once


def test_the_schedule_monthly_on_the_5th_at_2_in_shanghai_and_daily_checks(app):
    scheduler = build_scheduler(app, Leadership(Lease(db.engine, 15), 3))
    scheduled = {job.id: job for job in scheduler.get_jobs()}
    assert set(scheduled) == {"monthly_evaluation", "daily_checks", "deliveries"}
    assert scheduled["deliveries"].trigger.interval.total_seconds() == 60
    trigger = scheduled["monthly_evaluation"].trigger
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["day"], fields["hour"], fields["minute"]) == ("5", "2", "0")
    assert str(trigger.timezone) == "Asia/Shanghai"


def test_flask_monitoring_run_by_hand_and_dry(app, world):
    channel = live(world, **BANK)
    report(channel, "2026-01", [(40, 40, 1), (30, 70, 1), (29, 99, 1)])
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["monitoring", "run", "--month", "2026-03", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["notices"] == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonitoringRecord)) == 0
    done = runner.invoke(args=["monitoring", "run", "--month", "2026-03"])
    assert json.loads(done.output)["notices"] == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonitoringRecord)) == 2
    assert runner.invoke(args=["monitoring", "run", "--month", "2099-01"]).exit_code != 0


def test_c4_9_an_evaluation_that_crashes_half_way_leaves_the_month_untouched_and_the_next_run_completes_it(
    world, monkeypatch
):
    from app.modules.monitoring import evaluation
    from app.modules.monitoring.models import EvaluationRun

    channel = live(world, **BANK)
    report(channel, "2026-01", [(40, 40, 1), (30, 70, 1), (29, 99, 1)])

    def crash(*_args, **_kw):
        raise RuntimeError("the messaging step crashed after the records were written")

    monkeypatch.setattr(evaluation, "_notify", crash)
    with pytest.raises(RuntimeError):
        monthly_evaluation(date(2026, 4, 5))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonitoringRecord)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationRun)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0
    monkeypatch.undo()
    assert monthly_evaluation(date(2026, 4, 5))["result"]["notices"] == 2
