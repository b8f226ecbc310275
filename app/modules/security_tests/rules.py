"""Pure rules of security testing: qualified institutions (C5.4) and when a report is current (C5.3)."""

from datetime import date

from app.modules.security_tests.models import QUALIFICATIONS


def missing_qualifications(qualifications, on: date) -> list[str]:
    """C5.4: the kinds an institution lacks, or holds expired or not yet valid, on `on` (the test date)."""
    valid = {q.kind for q in qualifications if q.valid_from <= on <= q.valid_until}
    return [kind for kind in QUALIFICATIONS if kind not in valid]


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def is_current(report, today: date, major_change_on: date | None = None) -> bool:
    """C5.3: a passing report that covers the specification is valid for one year from its test date, and only if no
    major upgrade or security-policy change was declared after the test."""
    if report.result != "pass" or not report.covers_spec:
        return False
    if major_change_on is not None and major_change_on > report.test_date:
        return False
    return report.test_date <= today < one_year_after(report.test_date)


def reusable_for(report, today: date) -> bool:
    """C5.3: a same-year report that covers the specification may serve another application."""
    return report.test_date.year == today.year and is_current(report, today)
