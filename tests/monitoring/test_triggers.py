"""The monitoring rules as pure functions (C4.9, C4.10): each trigger, complete months after go-live only, the
"noticeably improved" test, the social-channel commitment rule."""

from datetime import date

from app.modules.monitoring.triggers import (
    Thresholds,
    add_months,
    counts,
    improved,
    notice_triggers,
    social_shortfall,
)

TH = Thresholds()
LIVE = date(2025, 12, 10)


def months(start: date, rows):
    """A series from (new, cumulative, mau) rows, one per month from `start`."""
    return {add_months(start, i): row for i, row in enumerate(rows)}


def steady(n=6, new=1000, mau=900):
    cumulative, rows = 0, []
    for _ in range(n):
        cumulative += new
        rows.append((new, cumulative, max(mau, int(cumulative * 0.1))))
    return months(date(2026, 1, 1), rows)


def test_c4_9_only_complete_months_after_go_live_count():
    assert not counts(date(2025, 12, 1), LIVE) and counts(date(2026, 1, 1), LIVE)
    series = months(date(2025, 12, 1), [(10, 10, 10), (10, 20, 10), (10, 30, 10)])
    assert "C4.9a" not in notice_triggers(series, date(2026, 2, 1), LIVE, TH)  # December does not count


def test_c4_9a_issuance_over_three_months_below_100():
    series = months(date(2026, 1, 1), [(40, 40, 10), (30, 70, 10), (29, 99, 10)])
    fired = notice_triggers(series, date(2026, 3, 1), LIVE, TH)
    assert fired["C4.9a"]["issuance_3m"] == 99
    series[date(2026, 3, 1)] = (30, 100, 10)
    assert "C4.9a" not in notice_triggers(series, date(2026, 3, 1), LIVE, TH)


def test_c4_9b_issuance_fell_by_more_than_half_three_months_running():
    rows = [(8000, 8000, 4000), (3999, 11999, 4000), (1999, 13998, 4000), (999, 14997, 4000)]
    fired = notice_triggers(months(date(2026, 1, 1), rows), date(2026, 4, 1), LIVE, TH)
    assert set(fired) == {"C4.9b"}
    rows[2] = (2000, 13999, 4000)  # exactly half in one month: not "more than 50%"
    assert "C4.9b" not in notice_triggers(months(date(2026, 1, 1), rows), date(2026, 4, 1), LIVE, TH)


def test_c4_9c_mau_below_three_percent_of_cumulative():
    series = steady()
    month = date(2026, 6, 1)
    new, cumulative, _mau = series[month]
    series[month] = (new, cumulative, int(cumulative * 0.03) - 1)
    assert set(notice_triggers(series, month, LIVE, TH)) == {"C4.9c"}
    series[month] = (new, cumulative, int(cumulative * 0.03))
    assert notice_triggers(series, month, LIVE, TH) == {}


def test_c4_9_noticeably_improved_needs_no_trigger_and_20_percent_more_of_both():
    series = steady(new=1000, mau=1000)
    month = date(2026, 6, 1)
    ok, figures = improved(series, month, LIVE, (2400, 800), TH)
    assert ok and figures["issuance_3m"] == 3000
    assert not improved(series, month, LIVE, (2600, 800), TH)[0]  # issuance up only 15 %
    assert not improved(series, month, LIVE, (2400, 900), TH)[0]  # MAU up only 11 %
    del series[month]
    assert not improved(series, month, LIVE, (10, 10), TH)[0]  # no figures is no improvement


def test_c4_10_social_channel_below_half_its_commitment_two_quarters_running():
    rows = [(4000, 4000 * (i + 1), 20000) for i in range(6)]  # 12,000 a quarter, MAU 20,000
    series = months(date(2026, 1, 1), rows)
    found = social_shortfall(series, date(2026, 6, 1), LIVE, 120_000, 50_000, TH)
    assert [q["issuance"] for q in found["quarters"]] == [12000, 12000]
    assert social_shortfall(series, date(2026, 5, 1), LIVE, 120_000, 50_000, TH) is None  # not a quarter's end
    series[date(2026, 2, 1)] = (4000, 8000, 30000)  # mean MAU of Q1 now 23,333: still below 25,000
    assert social_shortfall(series, date(2026, 6, 1), LIVE, 120_000, 50_000, TH) is not None
    series[date(2026, 2, 1)] = (4000, 8000, 40000)  # Q1 mean MAU 26,667: above half the commitment
    assert social_shortfall(series, date(2026, 6, 1), LIVE, 120_000, 50_000, TH) is None
