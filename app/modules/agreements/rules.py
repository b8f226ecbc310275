"""Pure rules of the cooperation agreement (C2.8, C4.11, C4.12)."""

import calendar
import hashlib
from datetime import date, timedelta

from app.core.enums import ChannelCategory

# C2.8: every category except HR&SS and government channels signs the agreement with the operator.
EXEMPT_CATEGORIES = frozenset({ChannelCategory.hrss, ChannelCategory.government})


def needs_agreement(category) -> bool:
    return ChannelCategory(category) not in EXEMPT_CATEGORIES


def text_digest(body: str) -> str:
    """The SHA-256 of the exact text (UTF-8): what a signature binds to."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def term_from(start: date, months: int) -> tuple[date, date]:
    """A term of `months` from `start`: one year by default, 2026-12-01 → 2027-11-30 (C4.11)."""
    return start, add_months(start, months) - timedelta(days=1)


def earliest_effective_date(announced_on: date, notice_months: int) -> date:
    """C4.12: a changed text is announced `notice_months` (2) before it applies."""
    return add_months(announced_on, notice_months)


def version_in_force(versions, today: date):
    """The newest version already applying on `today`, or None."""
    applying = [v for v in versions if v.effective_from <= today]
    return max(applying, key=lambda v: (v.effective_from, v.id), default=None)


def is_outdated(version, versions, today: date) -> bool:
    """A version is outdated once a newer one applies; it can no longer be signed."""
    in_force = version_in_force(versions, today)
    return in_force is not None and version.effective_from < in_force.effective_from
