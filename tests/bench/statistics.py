"""Benchmark of the statistics CSV import's validation and write (C3.6, issue 13 item 9):

    python -m tests.bench.statistics [--rows 50000] [--database-url URL]

Builds a fresh database (a temporary SQLite file by default; with --database-url the PostgreSQL database given is
EMPTIED first) and imports, as the operator, two files of --rows rows each:
- `one_channel`: every row for one channel, month after month (the case that was quadratic: 8,000 rows took 10 s,
  16,000 took 40 s). Most of its months lie in the future, so the file is refused — after checking every row;
- `many_channels`: 25 months for each of rows/25 channels, all valid, so every row is checked and written.
Prints one JSON line with rows per second for each, and the baseline from the same run: reading the same file with
csv.DictReader alone (the floor any import has to pay), with the ratio import / baseline.

    python -m tests.bench.statistics --file-rows 1000000 [--database-url URL]

times `flask statistics import FILE` (import_statistics_file) on a file of that many valid rows instead, with the
process's peak memory."""

import argparse
import csv
import io
import json
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from tests.bench.monitoring import _insert, make_app

HEADER = "channel_number,month,new_issuance,cumulative_issuance,monthly_active_users,reason\n"


def _months(first: date, count: int):
    year, month = first.year, first.month
    for _ in range(count):
        yield f"{year:04d}-{month:02d}"
        month += 1
        if month == 13:
            year, month = year + 1, 1


def one_channel_file(rows: int) -> bytes:
    lines = [HEADER]
    for i, month in enumerate(_months(date(1001, 1, 1), rows)):
        lines.append(f"N000000001,{month},10,{10 * (i + 1)},5,\n")
    return "".join(lines).encode()


def many_channels_file(rows: int, months: int = 25) -> bytes:
    lines = [HEADER]
    for cid in range(1, rows // months + 1):
        for i, month in enumerate(_months(date(2024, 1, 1), months)):
            lines.append(f"N{cid:09d},{month},100,{100 * (i + 1)},50,\n")
    return "".join(lines).encode()


def load(channels: int) -> None:
    from datetime import datetime

    now = datetime(2026, 1, 1)
    _insert(
        "organisation",
        [dict(id=1, name="单位", uscc="91" + "0" * 16, registered_address="", category="bank", created_at=now)],
    )
    user = dict(
        username="operator",
        display_name="运营",
        email="",
        phone="",
        password_hash="x",
        organisation_id=None,
        active=True,
        locked=False,
        failed_logins=0,
        totp_enabled=False,
        totp_last_step=0,
        created_at=now,
    )
    _insert("user_account", [dict(user, id=1, role="operator")])
    _insert(
        "channel",
        [
            dict(
                id=cid,
                name=f"渠道{cid}",
                form="app",
                category="bank",
                level=1,
                access_mode="h5",
                owner_id=1,
                platform_capability=False,
                status="live",
                channel_number=f"N{cid:09d}",
                suspended_for_testing=False,
                live_since=date(1000, 1, 1) if cid == 1 else date(2023, 12, 1),
                contact_name="",
                contact_phone="",
                contact_email="",
                created_at=now,
            )
            for cid in range(1, channels + 1)
        ],
    )


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def baseline(data: bytes) -> float:
    return timed(lambda: list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")))))


@contextmanager
def operator_on_fresh_database(url: str | None, tmp: Path, channels: int):
    """A migrated database with `channels` channels, its operator yielded inside an app and request context."""
    app = make_app(url, tmp)
    with app.app_context(), app.test_request_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from app.modules.accounts.models import User

        upgrade()
        load(channels)
        db.session.commit()
        yield db.session.get(User, 1)
        db.session.remove()
        db.engine.dispose()


def run(rows: int, url: str | None) -> dict:
    from app.extensions import db
    from app.modules.monitoring.imports import ImportRefused, import_statistics

    with tempfile.TemporaryDirectory() as tmp, operator_on_fresh_database(url, Path(tmp), rows // 25 + 1) as operator:
        result = {"rows": rows, "database": db.engine.dialect.name}
        for name, data in (("one_channel", one_channel_file(rows)), ("many_channels", many_channels_file(rows))):

            def call(data=data):
                try:
                    import_statistics(operator, data, source="import")
                except ImportRefused:
                    db.session.rollback()

            seconds, floor = timed(call), baseline(data)
            result[name] = {
                "seconds": round(seconds, 3),
                "rows_per_second": round(rows / seconds),
                "baseline_csv_read_seconds": round(floor, 3),
                "ratio": round(seconds / floor, 1),
            }
    return result


def run_file(rows: int, url: str | None) -> dict:
    """`flask statistics import FILE` on a file of `rows` rows (25 months of rows/25 channels, all valid), timed, with
    the peak memory of the process, beside reading the same file with csv.reader alone."""
    from app.modules.monitoring.imports import import_statistics_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statistics.csv"
        path.write_bytes(many_channels_file(rows))
        with operator_on_fresh_database(url, Path(tmp), rows // 25 + 1) as operator:
            floor = timed(lambda: sum(1 for _ in csv.reader(path.open(encoding="utf-8", newline=""))))
            seconds = timed(lambda: import_statistics_file(operator, str(path)))
    return {
        "file_rows": rows,
        "database": "postgresql" if url else "sqlite",
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "baseline_csv_read_seconds": round(floor, 2),
        "ratio": round(seconds / floor, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--file-rows", type=int, default=0, help="instead: the CLI import of a file of this many rows")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    if args.file_rows:
        print(json.dumps(run_file(args.file_rows, args.database_url)))
    else:
        print(json.dumps(run(args.rows, args.database_url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
