"""The monthly evaluation (C4.8–C4.10): given figures that trip each trigger one run raises exactly the expected
notices; running it again changes nothing; a correction re-evaluates with the reason recorded; three months later the
channel that recovered is cleared and the one that did not is alerted; a social channel below its commitment for two
quarters is alerted; a same-subject level-2 channel is counted with its level-1 (C4.8)."""

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.modules.messaging.models import Message
from app.modules.monitoring import operations as intake
from app.modules.monitoring.evaluation import evaluate
from app.modules.monitoring.models import EvaluationRun, MonitoringRecord
from app.modules.monitoring.screening import screen, span_of
from app.modules.monitoring.triggers import Thresholds
from tests.journeys import channel_in_testing, live_channel

BANK = {"category": "bank", "social": None, "existing_users": 10}


def live(world, **overrides):
    """A live channel that went live on 10 December 2025, so 2026's months all count (C4.9)."""
    channel, _key = live_channel(world, channel_in_testing(world, **overrides) if overrides else None)
    channel.live_since = date(2025, 12, 10)
    db.session.commit()
    return channel


def report(channel, first: str, rows, reason=""):
    """Monthly figures (new, cumulative, MAU) from month `first` on, through the intake the app uses (C3.6)."""
    year, month = map(int, first.split("-"))
    for new, cumulative, mau in rows:
        item = {
            "channel_number": channel.channel_number,
            "new_issuance": new,
            "cumulative_issuance": cumulative,
            "monthly_active_users": mau,
        }
        intake.report_month(channel, f"{year}-{month:02d}", [item], reason, source="import")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def run(month: str, **kw):
    outcome = evaluate(date.fromisoformat(month + "-01"), **kw)
    db.session.commit()
    return outcome


def records(channel, **filters):
    query = sa.select(MonitoringRecord).where(MonitoringRecord.channel_id == channel.id)
    for name, value in filters.items():
        query = query.where(getattr(MonitoringRecord, name) == value)
    return db.session.scalars(query.order_by(MonitoringRecord.id)).all()


def two_channels(world):
    """A: low issuance and low MAU (C4.9 a and c); B: issuance halving three months running (C4.9 b)."""
    a, b = live(world, **BANK), live(world, **BANK)
    report(a, "2026-01", [(50, 50, 1), (30, 80, 1), (30, 110, 1), (30, 140, 1)])
    report(b, "2026-01", [(8000, 8000, 5000), (3999, 11999, 5000), (1999, 13998, 5000), (999, 14997, 5000)])
    return a, b


def test_c4_9_one_evaluation_raises_exactly_the_expected_notices_and_a_second_changes_nothing(world):
    a, b = two_channels(world)
    dry = run("2026-04", dry_run=True)
    assert sorted((d["channel_id"], d["rule"]) for d in dry.new) == [(a.id, "C4.9a"), (a.id, "C4.9c"), (b.id, "C4.9b")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonitoringRecord)) == 0  # dry: nothing written
    first = run("2026-04")
    assert (first.notices, first.alerts) == (3, 0)
    notice = records(a, rule="C4.9a")[0]
    assert notice.status == "improving" and notice.period_ends == date(2026, 7, 1)
    assert notice.figures["issuance_3m"] == 90 and notice.months == ["2026-02", "2026-03", "2026-04"]
    assert notice.events[0].reason == "评估触发"
    owner = db.session.scalars(sa.select(Message).where(Message.organisation_id == world.org_a.id)).all()
    assert sum("运营情况通知" in m.subject for m in owner) == 3
    again = run("2026-04")
    assert again.new == [] and again.changes == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonitoringRecord)) == 3
    assert first.statements == again.statements + (first.statements - again.statements)  # both measured
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationRun)) == 2


def test_c4_9_a_correction_re_evaluates_the_month_and_says_why(world):
    a, b = two_channels(world)
    run("2026-04")
    report(a, "2026-04", [(100, 180, 10)], reason="漏报一个网点的数据")
    outcome = run("2026-04")
    assert {(c["rule"], c["to"]) for c in outcome.changes} == {("C4.9a", "withdrawn"), ("C4.9c", "withdrawn")}
    withdrawn = records(a, rule="C4.9a")[0]
    assert withdrawn.status == "withdrawn" and "数据更正" in withdrawn.events[-1].reason
    assert records(b)[0].status == "improving"


def test_c4_9_three_months_later_the_recovered_channel_is_cleared_and_the_other_alerted(world):
    a, b = two_channels(world)
    run("2026-04")
    report(a, "2026-05", [(200, 340, 100), (200, 540, 100), (200, 740, 100)])
    report(b, "2026-05", [(1000, 15997, 5000), (1000, 16997, 5000), (1000, 17997, 5000)])
    assert run("2026-05").new == [] and run("2026-06").new == []  # no new notice during the improvement period
    outcome = run("2026-07")
    assert {r.status for r in records(a, kind="notice")} == {"cleared"}
    [notice] = records(b, kind="notice")
    [alert] = records(b, kind="alert")
    assert notice.status == "escalated" and (alert.rule, alert.status, alert.notice_id) == ("C4.9", "open", notice.id)
    assert alert.figures["baseline_issuance_3m"] == 6997 and alert.figures["issuance_3m"] == 3000
    assert outcome.alerts == 1
    subjects = [
        m.subject for m in db.session.scalars(sa.select(Message).where(Message.organisation_id == world.org_a.id))
    ]
    assert any("已明显改善" in s for s in subjects) and any("运营告警" in s for s in subjects)
    assert run("2026-07").changes == []


def test_c4_10_a_social_channel_below_half_its_commitment_for_two_quarters_is_alerted(world):
    channel = live(world)  # the social channel of the test application: 120,000 a year, 50,000 MAU committed
    report(channel, "2026-01", [(4000, 30000 + 4000 * (i + 1), 20000) for i in range(6)])
    outcome = run("2026-06")
    assert [(d["kind"], d["rule"]) for d in outcome.new] == [("alert", "C4.10")]
    [alert] = records(channel)
    assert [q["issuance"] for q in alert.figures["quarters"]] == [12000, 12000]
    assert run("2026-06").new == []


def test_c4_8_a_same_subject_level2_channel_is_counted_with_its_level1(world):
    from tests.applications.test_level2 import level2_data
    from tests.key_issuance.test_issue import approved_application

    parent = live(world, **BANK)
    app = approved_application(world, **level2_data(parent))
    from app.modules.key_issuance.operations import complete_test_intake

    child = complete_test_intake(world.operator, app.id)[0].channel
    child.status, child.live_since = "live", date(2025, 12, 10)
    db.session.commit()
    report(parent, "2026-01", [(100, 100, 1)])
    intake.report_month(
        parent,
        "2026-01",
        [
            {
                "channel_number": child.channel_number,
                "new_issuance": 20,
                "cumulative_issuance": 20,
                "monthly_active_users": 2,
            }
        ],
        source="import",
    )
    units, series = screen(date(2026, 1, 1), span_of(Thresholds()), Thresholds())
    assert series[parent.id] == {date(2026, 1, 1): (120, 120, 3)} and child.id not in units
    assert run("2026-01").units == 1
    (notice,) = records(parent)
    assert notice.rule == "C4.9c" and notice.figures["cumulative_issuance"] == 120 and records(child) == []
