"""Pure checks of one channel's monthly figures (C3.6, issue 7 validation): non-negative, cumulative never
decreasing, MAU not above cumulative, only finished months, only months in which the channel was live."""

import calendar
from dataclasses import dataclass
from datetime import date

from app.core.errors import RuleViolation

FIGURES = ("new_issuance", "cumulative_issuance", "monthly_active_users")
MAX_FIGURE = 2**63 - 1  # the BIGINT columns' range


@dataclass(frozen=True)
class FigureProblem:
    field: str
    zh: str
    en: str


def parse_month(text: str) -> date | None:
    """'YYYY-MM' → the first day of that month, or None."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, AttributeError):
        return None


def evaluable_month(text: str, today: date) -> date:
    """A finished month (YYYY-MM, years 2000–2199) to evaluate, or RuleViolation."""
    month = parse_month(text or "")
    if month is None or not 2000 <= month.year <= 2199 or month >= today.replace(day=1):
        raise RuleViolation(
            "请选择一个已结束的月份（YYYY-MM）",
            "Choose a finished month (YYYY-MM)",
            fields={"month": ["a finished month, YYYY-MM"]},
        )
    return month


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _in_range(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_FIGURE


def figure_problems(
    figures: dict, month: date, today: date, live_since: date | None, before: int | None, after: int | None
) -> list[FigureProblem]:
    """`before`/`after`: the current cumulative issuance of the nearest earlier and later reported months."""
    problems = [
        FigureProblem(name, f"须为 0 至 {MAX_FIGURE} 之间的整数", f"must be an integer from 0 to {MAX_FIGURE}")
        for name in FIGURES
        if not _in_range(figures.get(name))
    ]
    if problems:
        return problems
    cumulative = figures["cumulative_issuance"]
    if figures["monthly_active_users"] > cumulative:
        problems.append(
            FigureProblem(
                "monthly_active_users", "月活跃用户数不能大于累计签发量", "MAU cannot exceed cumulative issuance"
            )
        )
    if figures["new_issuance"] > cumulative:
        problems.append(
            FigureProblem("new_issuance", "新增签发量不能大于累计签发量", "New issuance exceeds cumulative")
        )
    if before is not None and cumulative < before:
        problems.append(
            FigureProblem(
                "cumulative_issuance",
                f"累计签发量不能小于此前月份的 {before}",
                f"Cumulative issuance cannot fall below the earlier month's {before}",
            )
        )
    if after is not None and cumulative > after:
        problems.append(
            FigureProblem(
                "cumulative_issuance",
                f"累计签发量不能大于此后月份的 {after}",
                f"Cumulative issuance cannot exceed the later month's {after}",
            )
        )
    if month >= today.replace(day=1):
        problems.append(FigureProblem("month", "只能报送已结束的月份", "Only finished months can be reported"))
    if live_since is None or live_since > month_end(month):
        problems.append(FigureProblem("month", "渠道在该月尚未正式入网", "The channel was not live in that month"))
    return problems
