"""`flask statistics import FILE` (C3.6, issue 17): a statistics CSV of any size read as a stream, all rows or none,
with the upload's line / field / reason problems; the figures around the file's months come from the history without
reading all of it."""

import json

import sqlalchemy as sa

from app.extensions import db
from app.modules.monitoring.imports import ImportRefused, import_statistics
from app.modules.monitoring.models import MonthlyStatistic
from tests.monitoring.test_evaluation import BANK, live, report
from tests.monitoring.test_monitoring_ui import csv


def _versions(channel) -> list:
    return db.session.execute(
        sa.select(MonthlyStatistic.month, MonthlyStatistic.version, MonthlyStatistic.cumulative_issuance)
        .where(MonthlyStatistic.channel_id == channel.id)
        .order_by(MonthlyStatistic.month, MonthlyStatistic.version)
    ).all()


def test_c3_6_the_cli_imports_a_file_all_or_nothing(app, world, tmp_path):
    channel = live(world, **BANK)
    n = channel.channel_number
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv((n, "2026-01", 5, 5, 5, ""), (n, "2026-02", 5, 10, 5, "")))
    bad.write_bytes(csv((n, "2026-03", 5, 15, 5, ""), (n, "2026-04", 1, 2, 1, ""), ("NOPE", "2026-04", 1, 1, 1, "")))
    runner = app.test_cli_runner()
    done = runner.invoke(args=["statistics", "import", str(good), "--operator", "operator"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {"created": 2, "corrected": 0, "unchanged": 0, "channels": 1}
    refused = runner.invoke(args=["statistics", "import", str(bad), "--operator", "operator"])
    assert refused.exit_code == 1
    problems = json.loads(refused.output)["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [
        (2, "cumulative_issuance"),
        (3, "cumulative_issuance"),
        (4, "channel_number"),
    ]
    assert [month.strftime("%Y-%m") for month, _v, _c in _versions(channel)] == ["2026-01", "2026-02"]  # nothing more
    company = runner.invoke(args=["statistics", "import", str(good), "--operator", "company_a"])
    assert company.exit_code != 0 and "operator" in company.output


def test_c3_6_neighbours_outside_the_files_months_are_checked(world):
    """The history is read around the file's months only, yet the nearest reported month on each side still counts."""
    channel = live(world, **BANK)
    n = channel.channel_number
    report(channel, "2026-01", [(100, 100, 10)])
    report(channel, "2026-06", [(100, 900, 10)])
    for month, cumulative, reason in (("2026-03", 50, "earlier month's 100"), ("2026-04", 950, "later month's 900")):
        try:
            import_statistics(world.operator, csv((n, month, 1, cumulative, 1, "")), source="import")
            raise AssertionError("accepted")
        except ImportRefused as exc:
            assert reason in exc.problems[0]["reason"]
    db.session.rollback()
    assert import_statistics(world.operator, csv((n, "2026-03", 1, 500, 1, "")), source="import").created == 1


def test_c3_6_a_nul_character_and_a_header_only_file_are_named(world):
    channel = live(world, **BANK)
    head = csv()
    try:
        import_statistics(world.operator, head, source="import")
        raise AssertionError("accepted")
    except ImportRefused as exc:
        assert exc.problems == [{"line": 1, "field": "file", "reason": "no rows", "zh": "没有数据行"}]
    row = f"{channel.channel_number},2026-01,1,1,1,x\x00\n".encode()
    try:
        import_statistics(world.operator, head + row, source="import")
        raise AssertionError("accepted")
    except ImportRefused as exc:
        assert (exc.problems[0]["line"], exc.problems[0]["field"]) == (2, "reason")
