"""The monitoring rules as pure functions over one counting unit's monthly figures (C4.8–C4.10).

A unit's series maps the first day of a month to (new issuance, cumulative issuance, MAU), already summed over the
unit's channels (C4.8). Only complete months after go-live count (C4.9 default): a month counts when it starts after
the go-live day's month. A rule that needs a month that does not count or has no figures does not fire."""

import functools
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from app.modules.agreements.rules import add_months

Series = dict[date, tuple[int, int, int]]

NEW, CUMULATIVE, MAU = 0, 1, 2


@dataclass(frozen=True)
class Thresholds:
    """Every number of C4.9 and C4.10; read from configuration (MONITORING_*)."""

    issuance_3m_min: int = 100
    drop_ratio: float = 0.5
    drop_months: int = 3
    mau_ratio: float = 0.03
    improvement_months: int = 3
    improvement_factor: float = 1.2
    social_ratio: float = 0.5
    social_quarters: int = 2

    @classmethod
    def from_config(cls, config) -> "Thresholds":
        return cls(
            issuance_3m_min=config["MONITORING_ISSUANCE_3M_MIN"],
            drop_ratio=config["MONITORING_DROP_RATIO"],
            drop_months=config["MONITORING_DROP_MONTHS"],
            mau_ratio=config["MONITORING_MAU_RATIO"],
            improvement_months=config["MONITORING_IMPROVEMENT_MONTHS"],
            improvement_factor=config["MONITORING_IMPROVEMENT_FACTOR"],
            social_ratio=config["MONITORING_SOCIAL_RATIO"],
            social_quarters=config["MONITORING_SOCIAL_QUARTERS"],
        )


@functools.lru_cache(maxsize=1024)
def label(month: date) -> str:
    return month.strftime("%Y-%m")


@functools.lru_cache(maxsize=1024)
def window(month: date, n: int) -> tuple[date, ...]:
    """The n months ending with `month`, oldest first (computed once per month and length: an evaluation asks it for
    every unit)."""
    return tuple(add_months(month, i) for i in range(1 - n, 1))


def counts(month: date, live_since: date | None) -> bool:
    """C4.9: only complete months after go-live count."""
    return live_since is not None and month > live_since.replace(day=1)


def _available(series: Series, months: list[date], live_since) -> bool:
    return all(m in series and counts(m, live_since) for m in months)


def issuance_3m(series: Series, month: date) -> int:
    return sum(series[m][NEW] for m in window(month, 3))


def notice_triggers(series: Series, month: date, live_since, th: Thresholds) -> dict[str, dict]:
    """C4.9 (a) issuance over the last 3 complete months below the minimum; (b) issuance fell month over month by
    more than the ratio in each of `drop_months` consecutive months; (c) the month's MAU below the ratio of
    cumulative issuance. Returns {rule: the figures that fired it}."""
    fired = {}
    last3 = window(month, 3)
    if _available(series, last3, live_since) and issuance_3m(series, month) < th.issuance_3m_min:
        fired["C4.9a"] = {
            "issuance_3m": issuance_3m(series, month),
            "minimum": th.issuance_3m_min,
            "issuance": {label(m): series[m][NEW] for m in last3},
        }
    run = window(month, th.drop_months + 1)
    if _available(series, run, live_since):
        pairs = list(pairwise(run))
        if all(series[prev][NEW] > 0 and series[m][NEW] < th.drop_ratio * series[prev][NEW] for prev, m in pairs):
            fired["C4.9b"] = {"issuance": {label(m): series[m][NEW] for m in run}, "drop_ratio": th.drop_ratio}
    if _available(series, [month], live_since):
        _new, cumulative, mau = series[month]
        if mau < th.mau_ratio * cumulative:
            fired["C4.9c"] = {"mau": mau, "cumulative_issuance": cumulative, "ratio": th.mau_ratio}
    return fired


def months_of(rule: str, month: date, th: Thresholds) -> list[str]:
    n = {"C4.9a": 3, "C4.9b": th.drop_months + 1, "C4.9c": 1}.get(rule, th.improvement_months)
    return [label(m) for m in window(month, n)]


def baseline(series: Series, month: date) -> tuple[int | None, int | None]:
    """The 3-month issuance and the MAU when a notice is sent: what the improvement test compares with."""
    if not all(m in series for m in window(month, 3)):
        return None, series[month][MAU] if month in series else None
    return issuance_3m(series, month), series[month][MAU]


def _grew(now: int, then: int | None, factor: float) -> bool:
    if then is None:
        return True
    return now >= factor * then and (now > then or then > 0)


def improved(series: Series, month: date, live_since, notice_baseline, th: Thresholds) -> tuple[bool, dict]:
    """C4.9 "noticeably improved" at the end of the improvement period: no trigger fires in that month, and both the
    3-month issuance and the month's MAU are at least `improvement_factor` times their values at the notice. Missing
    figures are not an improvement."""
    figures: dict = {"baseline_issuance_3m": notice_baseline[0], "baseline_mau": notice_baseline[1]}
    if not _available(series, window(month, 3), live_since):
        return False, figures | {"missing": [label(m) for m in window(month, 3) if m not in series]}
    fired = notice_triggers(series, month, live_since, th)
    now_issuance, now_mau = issuance_3m(series, month), series[month][MAU]
    figures |= {"issuance_3m": now_issuance, "mau": now_mau, "factor": th.improvement_factor, "fired": sorted(fired)}
    ok = (
        not fired
        and _grew(now_issuance, notice_baseline[0], th.improvement_factor)
        and _grew(now_mau, notice_baseline[1], th.improvement_factor)
    )
    return ok, figures


def social_shortfall(
    series: Series, month: date, live_since, committed_annual: int, committed_mau: int, th: Thresholds
) -> dict | None:
    """C4.10: at a quarter's last month, `social_quarters` consecutive quarters in which both the quarter's issuance
    and its mean MAU stay below `social_ratio` of the commitments of Form 2 (annual issuance ÷ 4 per quarter)."""
    if month.month % 3 != 0 or (committed_annual <= 0 and committed_mau <= 0):
        return None
    quarters = [window(add_months(month, -3 * q), 3) for q in reversed(range(th.social_quarters))]
    if not _available(series, [m for q in quarters for m in q], live_since):
        return None
    issuance_floor, mau_floor = th.social_ratio * committed_annual / 4, th.social_ratio * committed_mau
    rows = []
    for quarter in quarters:
        issued = sum(series[m][NEW] for m in quarter)
        mean_mau = sum(series[m][MAU] for m in quarter) / 3
        if not (issued < issuance_floor and mean_mau < mau_floor):
            return None
        rows.append({"quarter": f"{label(quarter[0])}…{label(quarter[-1])}", "issuance": issued, "mean_mau": mean_mau})
    return {
        "quarters": rows,
        "committed_annual_issuance": committed_annual,
        "committed_mau": committed_mau,
        "ratio": th.social_ratio,
    }
