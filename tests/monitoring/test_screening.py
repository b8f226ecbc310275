"""The evaluation screens the units in SQL before deciding in Python (issue 17, C4.9, C4.10): the screen may let
through a unit that fires nothing, never hold back one that fires — at each rule's boundary, at a float threshold
that rounds up in Python, and for a unit whose notice ends its period after it stopped reporting."""

from datetime import date

from app.extensions import db
from app.modules.monitoring.screening import screen, span_of
from app.modules.monitoring.triggers import Thresholds
from tests.monitoring.test_evaluation import BANK, live, records, report, run


def figures(news, mau=lambda cumulative: cumulative // 2, start=1000):
    """(new, cumulative, MAU) rows from the months' new issuance."""
    rows, cumulative = [], start
    for new in news:
        cumulative += new
        rows.append((new, cumulative, mau(cumulative)))
    return rows


def fired(channel) -> set[str]:
    return {r.rule for r in records(channel)}


def test_c4_9_c4_10_the_screen_holds_back_no_unit_at_the_rules_boundaries(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MONITORING_MAU_RATIO", 0.07)  # 0.07 × 100 = 7.000000000000001 in Python
    # every channel is the social owner's: committed 120,000 a year and 50,000 MAU (Form 2 of the test application)
    social = {quarter: live(world) for quarter in (15000, 14997)}
    for quarter, channel in social.items():
        report(channel, "2026-01", figures([quarter // 3] * 6, mau=lambda _c: 20000, start=30000))
    cases = {
        "3 months sum to 99": ([500, 500, 500, 33, 33, 33], {"C4.9a"}),
        "3 months sum to 100": ([500, 500, 500, 34, 33, 33], set()),
        "issuance exactly halves": ([4000, 4000, 4000, 2000, 1000, 500], set()),
        "issuance falls by just over half": ([4000, 4000, 4000, 1999, 999, 499], {"C4.9b"}),
    }
    channels = {name: live(world) for name in cases}  # MAU high enough for C4.10 not to fire
    for name, (news, _expected) in cases.items():
        report(channels[name], "2026-01", figures(news, start=100000))
    rounding = live(world)  # MAU 7,000 of 100,000: below 0.07 × 100,000 only as Python computes it
    report(rounding, "2026-01", [(0, 90000, 45000)] * 3 + [(5000, 95000, 50000)] * 2 + [(5000, 100000, 7000)])
    th = Thresholds.from_config(app.config)
    units, _series = screen(date(2026, 6, 1), span_of(th), th)
    run("2026-06")
    for name, (_news, expected) in cases.items():
        assert fired(channels[name]) == expected, name
    assert fired(rounding) == {"C4.9c"}
    assert fired(social[15000]) == set() and fired(social[14997]) == {"C4.10"}
    firing = {channels["3 months sum to 99"], channels["issuance falls by just over half"], rounding, social[14997]}
    assert {c.id for c in firing} <= set(units)
    # exactly half and exactly at the commitment are let through and turned away in Python (the screen is wider)
    assert {channels["issuance exactly halves"].id, social[15000].id} <= set(units)
    assert channels["3 months sum to 100"].id not in units


def test_c4_9_a_unit_that_stopped_reporting_is_escalated_at_the_end_of_its_period(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MONITORING_IMPROVEMENT_MONTHS", 7)  # the period ends beyond the months read
    channel = live(world, **BANK)
    report(channel, "2026-01", [(500, 1000, 1)])
    run("2026-01")
    [notice] = records(channel)
    assert (notice.rule, notice.period_ends) == ("C4.9c", date(2026, 8, 1))
    th = Thresholds.from_config(app.config)
    units, series = screen(date(2026, 8, 1), span_of(th), th)
    assert channel.id in units and series[channel.id] == {}  # no figures at all from March to August, still decided
    outcome = run("2026-08")
    db.session.refresh(notice)
    [alert] = records(channel, kind="alert")
    assert notice.status == "escalated" and outcome.alerts == 1
    assert (alert.rule, alert.figures["missing"]) == ("C4.9", ["2026-06", "2026-07", "2026-08"])
