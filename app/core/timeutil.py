"""One clock for the whole service, so tests can freeze it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from app.core.errors import RuleViolation
from app.core.i18n import current_locale

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None


def utcnow() -> datetime:
    """Timezone-naive UTC now (all timestamps are stored as naive UTC)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in China (dates of forms and rules are local dates)."""
    return utcnow().replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


def freeze(moment: datetime | None) -> None:
    global _frozen
    _frozen = moment


def local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def from_local(moment: datetime | None) -> datetime | None:
    """A wall-clock time in China (naive, or aware in any zone) as naive UTC, the way timestamps are stored."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TZ)
    try:
        return aware.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as exc:  # year 1 or 9999 at the edge of the calendar
        raise RuleViolation("时间超出范围", "The time is out of range", fields={"time": ["out of range"]}) from exc


def zoned(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC timestamp as China time with its offset (+08:00), the way the API shows every time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


# Dates as each language writes them: Chinese in the national standard's numeric form (GB/T 7408: 2026-11-28 09:30),
# English with the month's name (28 Nov 2026, 09:30); times are China time, as every rule's deadline is.
DATE_PATTERNS = {"zh": ("yyyy-MM-dd", "yyyy-MM-dd HH:mm"), "en": ("d MMM y", "d MMM y, HH:mm")}


def format_day(value: date | None) -> str:
    if value is None:
        return "-"
    locale = current_locale()
    return format_date(value, DATE_PATTERNS[locale][0], locale=locale)


def format_moment(moment: datetime | None) -> str:
    """A stored naive-UTC timestamp in China time, in the reader's language."""
    if moment is None:
        return ""
    locale = current_locale()
    return format_datetime(moment.replace(tzinfo=UTC), DATE_PATTERNS[locale][1], tzinfo=LOCAL_TZ, locale=locale)


def finalize(value):
    """Every date a template prints is a date in the reader's language (Jinja's `finalize`)."""
    return format_day(value) if type(value) is date else value
