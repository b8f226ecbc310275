"""Statistics by CSV (C3.6, issue 7): the channel portal's upload (a company: its own channels and the level-2 channels
of its level-1 channels) and the operator's bulk import (every channel). One file, many channels and months.

The whole file is checked before anything is written — every bad row is reported with its line, field and reason — and
then written in one transaction: all rows or none. A month already reported changes only with a reason, as a new
version (nothing is overwritten). Columns: channel_number, month (YYYY-MM), new_issuance, cumulative_issuance,
monthly_active_users, reason (optional)."""

import bisect
import csv
import functools
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.errors import DomainError
from app.core.permissions import P, may
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.channels.models import Channel
from app.modules.channels.scope import own_or_level2_of_own
from app.modules.monitoring.models import MonthlyStatistic
from app.modules.monitoring.operations import current_statistics
from app.modules.monitoring.rules import FIGURES, figure_problems, parse_month

COLUMNS = ("channel_number", "month", *FIGURES)
MAX_ROWS = 50_000


class ImportRefused(DomainError):
    """The file was refused; `problems` lists every bad row as {line, field, reason}."""

    status = 422
    code = "import_refused"

    def __init__(self, problems: list[dict]):
        shown = "；".join(f"第 {p['line']} 行 {p['field']}：{p['zh']}" for p in problems[:20])
        more = f"（共 {len(problems)} 处）" if len(problems) > 20 else ""
        super().__init__(
            f"文件未导入，请改正后重新上传：{shown}{more}",
            "Nothing was imported; correct the file and upload it again: "
            + "; ".join(f"line {p['line']} {p['field']}: {p['reason']}" for p in problems[:20]),
            fields={f"line {p['line']}.{p['field']}": [p["reason"]] for p in problems},
        )
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    channels: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "corrected": self.corrected,
            "unchanged": self.unchanged,
            "channels": len(self.channels),
        }


def scope(user):
    """The channels `user` may report for: the operator all; a company its own and its level-1 channels' level-2
    channels (C3.6: the level-1 channel reports its level-2 channels' figures)."""
    if may(user, P.monitoring_manage):
        return sa.true()
    if not may(user, P.statistics_import):
        return sa.false()
    return own_or_level2_of_own(user.organisation_id)


class _Reader:
    """The rows of a CSV text stream as (line, fields), checked as they come: the columns, CSV syntax and the row
    limit refuse the file at once; a row holding a NUL character is left out and listed in `problems`."""

    def __init__(self, stream, max_rows: int | None):
        self.reader = csv.reader(stream)
        self.max_rows, self.count, self.problems = max_rows, 0, []
        try:
            header = [name.strip() for name in next(self.reader, [])]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _file_problem(1, f"not a UTF-8 CSV file: {exc}", "不是有效的 UTF-8 CSV 文件") from exc
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ImportRefused(
                [{"line": 1, "field": c, "reason": "missing column", "zh": "缺少此列"} for c in missing]
            )
        self.index = {name: header.index(name) for name in COLUMNS}
        self.reason = header.index("reason") if "reason" in header else None
        self.header, self.width = header, len(header)

    def __iter__(self):
        try:
            for row in self.reader:
                self.count += 1
                if self.max_rows is not None and self.count > self.max_rows:
                    raise ImportRefused(
                        [{"line": 1, "field": "file", "reason": f"more than {self.max_rows} rows", "zh": "行数过多"}]
                    )
                held = [self.header[i] if i < self.width else "file" for i, v in enumerate(row) if "\x00" in v]
                if held:
                    self.problems += [
                        (self.reader.line_num, name, "contains a NUL character", "含有空字符（U+0000）")
                        for name in held
                    ]
                    continue
                yield self.reader.line_num, row + [""] * (self.width - len(row))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _file_problem(
                self.reader.line_num, f"not a UTF-8 CSV file: {exc}", "不是有效的 UTF-8 CSV 文件"
            ) from exc
        if not self.count:
            raise _file_problem(1, "no rows", "没有数据行")


def _file_problem(line: int, reason: str, zh: str) -> ImportRefused:
    return ImportRefused([{"line": line, "field": "file", "reason": reason, "zh": zh}])


def _number(value: str):
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else value


@functools.lru_cache(maxsize=4096)
def _month(text: str):
    return parse_month(text)


@dataclass(frozen=True)
class _Reportable:
    id: int
    live_since: object


def _channels(user) -> dict:
    """{channel number: (id, live since)} of every channel `user` may report for (one statement)."""
    rows = db.session.execute(sa.select(Channel.channel_number, Channel.id, Channel.live_since).where(scope(user)))
    return {number: _Reportable(cid, live) for number, cid, live in rows if number}


def _parse(rows: _Reader, channels: dict) -> tuple[list, list]:
    """(problems, parsed rows (line, channel, month, figures, reason)) — the checks of one row on its own."""
    problems, parsed = [], []
    number_at, month_at = rows.index["channel_number"], rows.index["month"]
    figure_at = [(name, rows.index[name]) for name in FIGURES]
    reason_at = rows.reason
    for line, row in rows:
        channel = channels.get(row[number_at].strip())
        month = _month(row[month_at].strip())
        if channel is None:
            problems.append(
                (line, "channel_number", "unknown channel or not yours to report", "渠道不存在或不属于本单位报送范围")
            )
        if month is None:
            problems.append((line, "month", "YYYY-MM", "月份格式应为 YYYY-MM"))
        if channel is not None and month is not None:
            figures = {name: _number(row[at]) for name, at in figure_at}
            reason = row[reason_at].strip() if reason_at is not None else ""
            parsed.append((line, channel, month, figures, reason))
    return rows.problems + problems, parsed


CHUNK = 5000  # channel ids per statement (SQLite's bound-parameter limit)


def _current(parsed: list) -> tuple[dict, dict]:
    """The current versions that matter to the file, read in a few statements and in memory proportional to the file,
    not to the history: {(channel, month): (version, figures)} for the months the file spans, and per channel the
    cumulative issuance of the nearest reported month before and after that span."""
    if not parsed:
        return {}, {}
    ids = sorted({item[1].id for item in parsed})
    first, last = min(item[2] for item in parsed), max(item[2] for item in parsed)
    current, outside = {}, defaultdict(dict)
    for i in range(0, len(ids), CHUNK):
        chunk = MonthlyStatistic.channel_id.in_(ids[i : i + CHUNK])
        rows = db.session.execute(_figures(current_statistics(chunk, months=(first, last))))
        for cid, month, version, *figures in rows:
            current[(cid, month)] = (version, tuple(figures))
        for side, condition, pick in (
            ("before", MonthlyStatistic.month < first, sa.func.max),
            ("after", MonthlyStatistic.month > last, sa.func.min),
        ):
            nearest = (
                sa.select(MonthlyStatistic.channel_id, pick(MonthlyStatistic.month).label("month"))
                .where(chunk, condition)
                .group_by(MonthlyStatistic.channel_id)
                .subquery()
            )
            found = _figures(current_statistics(chunk, condition)).join(
                nearest,
                sa.and_(nearest.c.channel_id == MonthlyStatistic.channel_id, nearest.c.month == MonthlyStatistic.month),
            )
            for cid, month, _version, *figures in db.session.execute(found):
                outside[cid][side] = (month, figures[1])
    return current, outside


def _figures(select):
    return select.with_only_columns(
        MonthlyStatistic.channel_id,
        MonthlyStatistic.month,
        MonthlyStatistic.version,
        *(getattr(MonthlyStatistic, name) for name in FIGURES),
    )


class Series:
    """One channel's cumulative issuance by month, sorted once, so that each row finds its neighbours by bisection
    (50,000 rows of one channel check in O(n log n), not O(n²))."""

    def __init__(self, by_month: dict):
        self.months = sorted(by_month)
        self.values = [by_month[m] for m in self.months]

    def neighbours(self, month) -> tuple[int | None, int | None]:
        left = bisect.bisect_left(self.months, month)
        right = bisect.bisect_right(self.months, month)
        before = self.values[left - 1] if left > 0 else None
        after = self.values[right] if right < len(self.months) else None
        return before, after


def _merged(parsed: list, current: dict, outside: dict) -> dict:
    merged = defaultdict(dict)
    for cid, sides in outside.items():
        for month, cumulative in sides.values():
            merged[cid][month] = cumulative
    for (cid, month), (_version, figures) in current.items():
        merged[cid][month] = figures[1]
    for _line, channel, month, figures, _reason in parsed:
        if isinstance(figures["cumulative_issuance"], int):
            merged[channel.id][month] = figures["cumulative_issuance"]
    return {cid: Series(by_month) for cid, by_month in merged.items()}


def _check(parsed: list, current: dict, outside: dict) -> list:
    """Every figure rule (C3.6) against the series as it would be after the import: file rows over current ones."""
    problems, seen, on = [], set(), today()
    series = _merged(parsed, current, outside)
    for line, channel, month, figures, reason in parsed:
        if (channel.id, month) in seen:
            problems.append((line, "month", "this channel and month appear twice", "同一渠道同一月份重复"))
            continue
        seen.add((channel.id, month))
        before, after = series[channel.id].neighbours(month)
        for p in figure_problems(figures, month, on, channel.live_since, before, after):
            problems.append((line, p.field, p.en, p.zh))
        existing = current.get((channel.id, month))
        if existing is not None and existing[1] != tuple(figures[name] for name in FIGURES) and not reason:
            problems.append(
                (line, "reason", "already reported: a correction needs a reason", "该月已报送，更正须说明原因")
            )
    return problems


@transactional
def import_statistics(user, data: bytes, *, source: str) -> ImportResult:
    """An upload (the portal, the API): check the whole file, then write every row as a new version (or nothing);
    audited with the file's digest."""
    if len(data) > current_app.config["MAX_UPLOAD_BYTES"]:
        raise ImportRefused([{"line": 1, "field": "file", "reason": "file too large", "zh": "文件过大"}])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_problem(1, "not UTF-8 text", "文件须为 UTF-8 编码") from exc
    return _import(user, io.StringIO(text, newline=""), source, hashlib.sha256(data).hexdigest(), MAX_ROWS)


@transactional
def import_statistics_file(user, path: str, *, source: str = "import") -> ImportResult:
    """`flask statistics import FILE`: any number of rows, read as a stream, all or nothing like an upload."""
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return _import(user, stream, source, digest.hexdigest(), None)


def _import(user, stream, source: str, digest: str, max_rows: int | None) -> ImportResult:
    problems, parsed = _parse(_Reader(stream, max_rows), _channels(user))
    current, outside = _current(parsed)
    problems += _check(parsed, current, outside)
    if problems:
        raise ImportRefused(
            [{"line": ln, "field": f, "reason": en, "zh": zh} for ln, f, en, zh in sorted(problems, key=lambda p: p[0])]
        )
    return _write(user, parsed, current, source, digest)


WRITTEN = ("channel_id", "month", "version", *FIGURES, "source", "reason", "reported_by_user_id", "created_at")


def _write(user, parsed: list, current: dict, source: str, digest: str) -> ImportResult:
    result, new_rows, now = ImportResult(), [], utcnow()
    for _line, channel, month, figures, reason in parsed:
        existing = current.get((channel.id, month))
        values = tuple(figures[name] for name in FIGURES)
        result.channels.add(channel.id)
        if existing is not None and existing[1] == values:
            result.unchanged += 1
            continue
        version = existing[0] + 1 if existing else 1
        new_rows.append((channel.id, month, version, *values, source, reason if existing else "", user.id, now))
        result.corrected += existing is not None
        result.created += existing is None
    _insert(new_rows)
    audit.record(
        "statistics.import",
        None,
        object_type="monthly_statistic",
        object_id=digest[:16],
        actor=user,
        after={"source": source, "sha256": digest} | result.as_dict(),
    )
    return result


def _insert(rows: list[tuple]) -> None:
    """The new versions in one go, in the import's transaction: PostgreSQL's COPY, else one executemany."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        statement = f"COPY monthly_statistic ({', '.join(WRITTEN)}) FROM STDIN"
        cursor = connection.connection.cursor()
        try:
            with cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except connection.dialect.dbapi.IntegrityError as exc:  # a concurrent import wrote the same version first
            raise sa.exc.IntegrityError(statement, None, exc) from exc
        return
    columns = ", ".join(WRITTEN)
    marks = ", ".join("?" for _ in WRITTEN)
    statement = f"INSERT INTO monthly_statistic ({columns}) VALUES ({marks})"  # noqa: S608 (constant column names)
    connection.exec_driver_sql(statement, rows)
