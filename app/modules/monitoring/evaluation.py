"""The monthly evaluation (C4.8–C4.10) as a set-based computation.

One run screens the counting units in SQL (`screening.py`: the units one of the rules may fire for, or that have a
record that matters for the month, with their summed figures for the months the rules need), reads those records —
a fixed number of queries, whatever the number of channels — decides in memory for those units what the month's
notices, alerts and period outcomes should be (`triggers.py`), and writes the difference in bulk: new records, changed
ones (with the reason in their history), messages. Everything is one transaction, so a crash leaves the month either
fully evaluated or untouched, and running a month again changes nothing unless figures were corrected in between, in
which case the outcome follows the new figures and the history says why."""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.messaging.operations import send_many, send_to_operators
from app.modules.monitoring.models import EvaluationRun, MonitoringEvent, MonitoringRecord, RecordStatus
from app.modules.monitoring.screening import Unit, count_units, matters, screen, span_of
from app.modules.monitoring.triggers import (
    Thresholds,
    add_months,
    baseline,
    improved,
    label,
    months_of,
    notice_triggers,
    social_shortfall,
)


@dataclass
class Desired:
    kind: str
    rule: str
    figures: dict
    status: str
    months: list
    period_ends: date | None = None
    baseline: tuple = (None, None)
    notice_id: int | None = None


@dataclass
class Outcome:
    """What a run did (or, dry, would do)."""

    month: date
    units: int = 0
    new: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    statements: int = 0

    @property
    def notices(self) -> int:
        return sum(1 for d in self.new if d["kind"] == "notice")

    @property
    def alerts(self) -> int:
        return sum(1 for d in self.new if d["kind"] == "alert")


def load_records(month: date) -> list[MonitoringRecord]:
    """The records that matter for `month` (`screening.matters`)."""
    return list(db.session.scalars(sa.select(MonitoringRecord).where(matters(month))))


def _period_outcome(unit, series, month, ending, th) -> tuple[dict, dict]:
    """Notices whose period ends this month: cleared if noticeably improved, else escalated with one alert."""
    first = min(ending, key=lambda r: r.id)
    ok, figures = improved(series, month, unit.live_since, (first.baseline_issuance, first.baseline_mau), th)
    statuses = {r.id: (RecordStatus.cleared if ok else RecordStatus.escalated, figures) for r in ending}
    desired = {}
    if not ok:
        desired[("alert", "C4.9")] = Desired(
            "alert", "C4.9", figures, RecordStatus.open, months_of("C4.9", month, th), notice_id=first.id
        )
    return statuses, desired


def decide(unit: Unit, series: dict, month: date, earlier: list, th: Thresholds) -> tuple[dict, dict]:
    """What `month` should hold for one unit: {(kind, rule): Desired} and {notice id: (status, figures)} for the
    notices whose improvement period ends this month."""
    ending = [r for r in earlier if r.kind == "notice" and r.period_ends == month]
    statuses, desired = _period_outcome(unit, series, month, ending, th) if ending else ({}, {})
    in_period = any(r.kind == "notice" and r.period_ends >= month for r in earlier)
    alerted = {r.rule for r in earlier if r.kind == "alert" and r.status == RecordStatus.open}
    if not in_period and not alerted - {"C4.10"}:
        for rule, figures in notice_triggers(series, month, unit.live_since, th).items():
            desired[("notice", rule)] = Desired(
                "notice",
                rule,
                figures,
                "improving",
                months_of(rule, month, th),
                period_ends=add_months(month, th.improvement_months),
                baseline=baseline(series, month),
            )
    if unit.social and unit.committed and "C4.10" not in alerted:
        shortfall = social_shortfall(series, month, unit.live_since, *unit.committed, th)
        if shortfall:
            months = [label(add_months(month, -i)) for i in reversed(range(3 * th.social_quarters))]
            desired[("alert", "C4.10")] = Desired("alert", "C4.10", shortfall, RecordStatus.open, months)
    return desired, statuses


def _plan(month: date, units: dict, series: dict, records: list, th: Thresholds):
    """Compare what should be with what is: rows to insert, (record, status, figures, reason) to change."""
    by_unit = defaultdict(list)
    for record in records:
        by_unit[record.channel_id].append(record)
    inserts, changes = [], []
    for unit in units.values():
        own = {(r.kind, r.rule): r for r in by_unit[unit.channel_id] if r.month == month}
        earlier = [r for r in by_unit[unit.channel_id] if r.month < month]
        desired, statuses = decide(unit, series.get(unit.channel_id, {}), month, earlier, th)
        for key, want in desired.items():
            have = own.get(key)
            if have is None:
                inserts.append((unit, want))
            elif have.status == RecordStatus.withdrawn or have.figures != want.figures:
                reason = (
                    "再次评估后重新触发"
                    if have.status == RecordStatus.withdrawn
                    else "数据更正后重新评估，触发数据已更新"
                )
                status = want.status if have.status == RecordStatus.withdrawn else have.status
                changes.append((have, status, want.figures, reason))
        for key, have in own.items():
            if key not in desired and have.status != RecordStatus.withdrawn:
                changes.append((have, RecordStatus.withdrawn, have.figures, "数据更正后重新评估，不再触发"))
        for record in earlier:
            if record.id not in statuses:
                continue
            status, figures = statuses[record.id]
            if (record.status, (record.figures or {}).get("period_end")) != (status, figures):
                reason = "提升期结束：明显改善" if status == RecordStatus.cleared else "提升期结束：未明显改善，已告警"
                changes.append((record, status, record.figures | {"period_end": figures}, reason))
    return inserts, changes


def _row(unit: Unit, want: Desired, month: date, now) -> dict:
    return dict(
        channel_id=unit.channel_id,
        kind=want.kind,
        rule=want.rule,
        month=month,
        months=want.months,
        figures=want.figures,
        status=want.status,
        period_ends=want.period_ends,
        baseline_issuance=want.baseline[0],
        baseline_mau=want.baseline[1],
        notice_id=want.notice_id,
        created_at=now,
        updated_at=now,
    )


def _insert_records(rows: list[dict]) -> list[int]:
    """The new records in one statement, their ids in the order of `rows`, read back in one more: matched on (unit,
    kind, rule), which one evaluation never repeats, among the records of this month written at this moment. (A
    RETURNING in parameter order goes row by row on SQLite; a RETURNING at all makes the driver rewrite every batch
    on PostgreSQL.)"""
    table = MonitoringRecord.__table__
    db.session.execute(table.insert(), rows)
    written = db.session.execute(
        sa.select(table.c.id, table.c.channel_id, table.c.kind, table.c.rule).where(
            table.c.month == rows[0]["month"], table.c.created_at == rows[0]["created_at"]
        )
    )
    ids = {(channel_id, kind, rule): record_id for record_id, channel_id, kind, rule in written}
    return [ids[(row["channel_id"], row["kind"], row["rule"])] for row in rows]


def _write(run: EvaluationRun, month: date, inserts: list, changes: list) -> list[int]:
    now = utcnow()
    ids = []
    if inserts:
        ids = _insert_records([_row(unit, want, month, now) for unit, want in inserts])
    if changes:
        table = MonitoringRecord.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("record_id"))
            .values(status=sa.bindparam("new_status"), figures=sa.bindparam("new_figures"), updated_at=now),
            [{"record_id": r.id, "new_status": s, "new_figures": f} for r, s, f, _reason in changes],
        )
        for record, *_rest in changes:  # keep the loaded objects in step with the rows
            db.session.expire(record)
    events = [
        {"record_id": rid, "at": now, "status": want.status, "reason": "评估触发", "run_id": run.id}
        for rid, (_unit, want) in zip(ids, inserts, strict=True)
    ] + [{"record_id": r.id, "at": now, "status": s, "reason": why, "run_id": run.id} for r, s, _f, why in changes]
    if events:
        db.session.execute(MonitoringEvent.__table__.insert(), events)
    return ids


def _recipients(unit: Unit) -> list[int]:
    """The owner, and the level-1 owner of a level-2 unit when it is another organisation (C3.5)."""
    return [unit.owner_id] + ([unit.level1_owner_id] if unit.level1_owner_id not in (None, unit.owner_id) else [])


RULE_TITLES = {
    "C4.9a": "近3个完整月签发量合计低于阈值",
    "C4.9b": "签发量连续3个月环比下降超过阈值",
    "C4.9c": "当月月活跃用户数低于累计签发量的阈值比例",
    "C4.9": "提升期结束未明显改善",
    "C4.10": "连续两个季度签发量和月活均低于承诺值的50%",
}


def _context(unit: Unit, rule: str, month: date, period_ends) -> dict:
    return {
        "channel": unit.name,
        "channel_number": unit.number or "-",
        "month": label(month),
        "rule": rule,
        "reason": RULE_TITLES.get(rule, rule),
        "period_ends": label(period_ends) if period_ends else "",
    }


def _notify(inserts: list, ids: list, cleared: list, month: date) -> None:
    """S1: every new notice and alert, and every notice cleared at the end of its period, to the unit's owner (and
    the level-1 owner of a level-2 unit), in bulk."""
    batches = defaultdict(list)
    for rid, (unit, want) in zip(ids, inserts, strict=True):
        context = _context(unit, want.rule, month, want.period_ends)
        for organisation_id in _recipients(unit):
            batches[f"monitoring.{want.kind}"].append((context, "monitoring_record", rid, organisation_id))
    for record, unit in cleared:
        context = _context(unit, record.rule, month, record.period_ends)
        for organisation_id in _recipients(unit):
            batches["monitoring.cleared"].append((context, "monitoring_record", record.id, organisation_id))
    for code, items in batches.items():
        send_many(code, items)


@contextmanager
def counting_statements():
    """Count the SQL statements the code sends meanwhile: one per execute call — a bulk insert or update of many rows
    counts once, however the driver batches it on the wire."""
    counter = {"n": 0}

    def count(*_args, **_kw):
        counter["n"] += 1

    engine = db.engine
    sa.event.listen(engine, "before_execute", count)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_execute", count)


def evaluate(month: date, *, dry_run: bool = False, trigger: str = "cli") -> Outcome:
    """C4.9/C4.10 for every unit for `month` (a finished month), with a fixed number of statements. Dry: nothing is
    written, the outcome says what would change. Otherwise one transaction: the caller commits (CLI, job, page)."""
    with counting_statements() as counter:
        outcome = _evaluate(month, dry_run, trigger)
    outcome.statements = counter["n"]
    return outcome


def _evaluate(month: date, dry_run: bool, trigger: str) -> Outcome:
    th = Thresholds.from_config(current_app.config)
    units, series = screen(month, span_of(th), th)
    records = load_records(month)
    inserts, changes = _plan(month, units, series, records, th)
    monitored = count_units()
    outcome = Outcome(
        month=month,
        units=monitored,
        new=[{"channel_id": u.channel_id, "kind": w.kind, "rule": w.rule, "figures": w.figures} for u, w in inserts],
        changes=[{"id": r.id, "rule": r.rule, "from": r.status, "to": s, "reason": why} for r, s, _f, why in changes],
    )
    if dry_run:
        return outcome
    run = EvaluationRun(month=month, trigger=trigger, units=monitored)
    db.session.add(run)
    db.session.flush()
    cleared = [
        (record, units[record.channel_id])
        for record, status, _figures, _why in changes
        if status == RecordStatus.cleared and record.status != RecordStatus.cleared and record.channel_id in units
    ]
    _notify(inserts, _write(run, month, inserts, changes), cleared, month)
    run.created, run.changed, run.finished_at = len(inserts), len(changes), utcnow()
    audit.record(
        "monitoring.evaluate",
        run,
        after={"month": label(month), "units": monitored, "created": len(inserts), "changed": len(changes)},
    )
    if inserts or changes:
        context = {"month": label(month), "notices": outcome.notices, "alerts": outcome.alerts, "changed": len(changes)}
        send_to_operators("monitoring.evaluated", context, run)
    return outcome
