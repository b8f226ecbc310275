"""Benchmark of the daily security-report check (C5.3, issue 17 item 4):

    python -m tests.bench.daily --channels 10000 [--database-url URL]

Builds a fresh database (as `tests.bench.monitoring` does; with --database-url the PostgreSQL database is EMPTIED),
loads that many live channels with three months of figures, gives 80 % of them a current security report, 10 % one
about to expire and 10 % none, then runs in the same process the set-based missing-report check (the baseline) and
the security-report check, and prints one JSON line: channels, baseline_s, check_s, ratio (check / baseline),
statements (SQL statements the check sent), flagged, messages (the messages it sent), database."""

import argparse
import json
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.bench.monitoring import _insert, load, make_app


def _reports(n: int, on: date, rnd: random.Random) -> None:
    from app.core.timeutil import utcnow
    from app.extensions import db

    _insert("testing_institution", [dict(id=1, name="检测机构", created_at=datetime(2026, 1, 1))])
    owner = db.session.scalar(sa.text("SELECT min(id) FROM user_account"))
    rows = []
    for channel_id in range(1, n + 1):
        roll = rnd.random()
        if roll < 0.1:
            continue  # none: overdue
        age = rnd.randint(340, 360) if roll < 0.2 else rnd.randint(10, 300)  # about to expire, or well within
        rows.append(
            dict(
                channel_id=channel_id,
                institution_id=1,
                test_date=on - timedelta(days=age),
                version_tested="1.0",
                covers_spec=True,
                result="pass",
                findings="",
                filename="r.pdf",
                stored_name=f"bench-{channel_id}",
                sha256="0" * 64,
                size=1,
                uploaded_by_id=owner,
                uploaded_at=utcnow(),
            )
        )
    _insert("security_report", rows)


def _timed(engine, action) -> tuple[float, int]:
    count = 0

    def seen(*_args):
        nonlocal count
        count += 1

    sa.event.listen(engine, "before_cursor_execute", seen)
    start = time.perf_counter()
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    return time.perf_counter() - start, count


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is emptied)")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from app.core.timeutil import today
    from app.extensions import db
    from app.modules.messaging.models import Message
    from app.modules.monitoring.jobs import check_missing_reports
    from app.modules.security_tests.jobs import check_report_expiry

    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(args.database_url, Path(tmp))
        with app.app_context():
            upgrade()
            on = today()
            load(args.channels, 3, date(on.year, on.month, 1) - timedelta(days=95), rnd)
            _reports(args.channels, on, rnd)
            db.session.commit()
            due = on.replace(day=max(on.day, app.config["STATISTICS_DUE_DAY"]))
            baseline_s, _ = _timed(db.engine, lambda: (check_missing_reports(due), db.session.commit()))
            before = db.session.scalar(sa.select(sa.func.count()).select_from(Message))
            check_s, statements = _timed(db.engine, lambda: check_report_expiry(on))
            messages = db.session.scalar(sa.select(sa.func.count()).select_from(Message)) - before
            flags = db.session.scalar(sa.text("SELECT count(*) FROM security_report_notice"))
            db.session.remove()
            db.engine.dispose()
    print(
        json.dumps(
            {
                "channels": args.channels,
                "baseline_s": round(baseline_s, 3),
                "check_s": round(check_s, 3),
                "ratio": round(check_s / baseline_s, 2) if baseline_s else None,
                "statements": statements,
                "flagged": flags,
                "messages": messages,
                "database": "postgresql" if args.database_url else "sqlite",
            }
        )
    )


if __name__ == "__main__":
    main()
