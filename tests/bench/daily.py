"""Benchmark of the daily checks at national volume (issue 17):

    python -m tests.bench.daily --channels 10000 [--database-url URL]

Builds a fresh database (a temporary SQLite file; with --database-url the PostgreSQL database given is EMPTIED first)
with that many live channels (`tests.bench.monitoring.load`, three months of figures), a security report for most of
them (test dates spread over the last year: some expire within the warning period, some channels have none) and a
countersigned agreement each (terms ending over the coming year, and a tenth — an imported cohort — yesterday, so
that today decides them), then runs every registered daily check once, as
`flask monitoring daily` does, each timed and its SQL statements counted. The baseline, in the same run, is one scan of
what they read: every live channel joined with its reports and agreements. Prints one JSON line.
"""

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.bench.monitoring import _insert, load, make_app


def reports_and_agreements(n: int, on: date, rnd: random.Random) -> None:
    """Most channels tested within the last year (about 8 % expiring within 30 days), 5 % with no report; every
    channel's agreement countersigned, its term ending some day of the coming year (a tenth: yesterday)."""
    from app.extensions import db

    now = datetime(2026, 1, 1)
    _insert(
        "testing_institution",
        [dict(id=1, name="检测机构", uscc="91000000000000000X", address="", created_at=now, active=True)],
    )
    _insert(
        "agreement_version",
        [
            dict(
                id=1,
                version="bench",
                title="合作协议",
                body="",
                sha256="0" * 64,
                effective_from=date(2024, 1, 1),
                announced_at=now,
                created_by_id=1,
            )
        ],
    )
    reports, agreements = [], []
    for cid in range(1, n + 1):
        if rnd.random() >= 0.05:
            tested = on - timedelta(days=rnd.randint(0, 364))
            reports.append(
                dict(
                    id=cid,
                    channel_id=cid,
                    institution_id=1,
                    test_date=tested,
                    version_tested="1.0",
                    covers_spec=True,
                    result="pass",
                    findings="",
                    filename="r.pdf",
                    stored_name=f"r{cid}",
                    sha256="0" * 64,
                    size=1,
                    uploaded_by_id=1,
                    uploaded_at=now,
                )
            )
        # a tenth are an imported cohort whose terms all ended yesterday (decided today), the rest end in the year
        end = on - timedelta(days=1) if cid % 10 == 0 else on + timedelta(days=rnd.randint(1, 365))
        agreements.append(
            dict(
                id=cid,
                channel_id=cid,
                version_id=1,
                text_sha256="0" * 64,
                signed_by_id=1,
                signer_name="签署人",
                signed_at=now,
                countersigned_by_id=1,
                countersigner_name="运营",
                countersigned_at=now,
                term_start=end - timedelta(days=365),
                term_end=end,
            )
        )
    _insert("security_report", reports)
    _insert("agreement", agreements)
    db.session.commit()


def floor_scan() -> float:
    """One scan of what the checks read: every live channel with its reports and agreements."""
    from app.extensions import db

    start = time.perf_counter()
    db.session.execute(
        sa.text(
            "SELECT count(*), max(r.test_date), max(a.term_end) FROM channel c "
            "LEFT JOIN security_report r ON r.channel_id = c.id LEFT JOIN agreement a ON a.channel_id = c.id "
            "WHERE c.status = 'live'"
        )
    ).one()
    return time.perf_counter() - start


def run_checks(on: date) -> dict:
    """Each registered daily check as `daily_checks` runs it, timed, its statements counted."""
    from app.core import jobs
    from app.extensions import db

    results = {}
    for job in jobs.DAILY:
        seen = [0]

        def count(*_args, seen=seen):
            seen[0] += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        try:
            outcome = jobs._daily(job, on)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        results[job.key] = {"s": round(time.perf_counter() - start, 3), "statements": seen[0], "outcome": outcome}
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is emptied)")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from app.extensions import db
    from app.modules.messaging.models import Message

    on = date(2026, 11, 28)
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(args.database_url, Path(tmp))
        with app.app_context():
            upgrade()
            load(args.channels, 3, date(2026, 8, 1), rnd)
            reports_and_agreements(args.channels, on, rnd)
            floor = min(floor_scan() for _ in range(3))
            checks = run_checks(on)
            messages = db.session.scalar(sa.select(sa.func.count(Message.id)))
            db.session.remove()
            db.engine.dispose()
    total = sum(c["s"] for c in checks.values())
    print(
        json.dumps(
            {
                "channels": args.channels,
                "daily_checks_s": round(total, 2),
                "baseline_scan_s": round(floor, 4),
                "ratio": round(total / floor, 1),
                "statements": sum(c["statements"] for c in checks.values()),
                "messages": messages,
                "checks": checks,
                "database": "postgresql" if args.database_url else "sqlite",
            },
            default=str,
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
