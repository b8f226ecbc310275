"""Benchmark of the pages people live in at national volume (issue 15 item 9):

    python -m tests.bench.pages [--channels 10000] [--pending 5000] [--database-url URL]

Builds a fresh database (a temporary SQLite file by default; with --database-url the PostgreSQL database given is
EMPTIED first) with that many live channels (three months of figures each, a tenth granted Jinan) and that many
applications waiting in the review chain (two in five at the Jinan municipal step), then renders each role's home page
(the workbench), the review queue and the overview as that user, three times each, and prints one JSON line: for each
page the median milliseconds and the SQL statements it sent, beside the baseline of the same run (the bare health
check) and each page's ratio to it. Target: every page under 300 ms on this machine."""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.bench.monitoring import _insert, load, make_app

PAGES = {
    "jinan": ("/", "/reviews", "/overview"),
    "shandong": ("/", "/reviews", "/overview"),
    "national": ("/", "/reviews", "/overview"),
    "operator": ("/", "/overview", "/applications", "/channels"),
    "auditor": ("/", "/overview"),
    "u1": ("/", "/applications", "/channels"),
}
STAFF = (
    ("jinan", "municipal_reviewer", "370100"),
    ("shandong", "provincial_reviewer", "370000"),
    ("national", "national_reviewer", None),
    ("operator", "operator", None),
    ("auditor", "auditor", None),
)


def _staff(first_id: int) -> None:
    now = datetime(2026, 1, 1)
    rows = [
        dict(
            id=first_id + i,
            username=name,
            display_name=name,
            email=f"{name}@example.cn",
            phone="",
            password_hash="x",
            role=role,
            region_code=region,
            active=True,
            locked=False,
            failed_logins=0,
            totp_enabled=True,
            totp_last_step=0,
            created_at=now,
        )
        for i, (name, role, region) in enumerate(STAFF)
    ]
    _insert("user_account", rows)


def _pending(channels: int, pending: int, rnd: random.Random) -> None:
    """Regions for every channel and `pending` test intakes waiting at the municipal step (two in five in Jinan)."""
    from app.extensions import db

    cities = [c for c in db.session.scalars(sa.text("SELECT code FROM region WHERE level = 'city'")) if c != "370100"]
    _insert(
        "channel_region",
        [
            dict(channel_id=c, region_code="370100" if c % 10 == 0 else rnd.choice(cities))
            for c in range(1, channels + 1)
        ],
    )
    now = datetime.now().replace(microsecond=0)
    orgs = max(1, channels // 5)
    apps, rows, steps = [], [], []
    for i in range(pending):
        app_id = channels + i + 1
        city = "370100" if i % 5 < 2 else rnd.choice(cities)
        submitted = now - timedelta(days=rnd.randint(0, 30))
        apps.append(
            dict(
                id=app_id,
                number=f"T{app_id:012d}",
                kind="test",
                status="in_review",
                applicant_id=rnd.randint(1, orgs),
                created_by_id=1,
                category="bank",
                level=1,
                inherit_parent_scope=False,
                fill_date=date(2026, 1, 1),
                contact_name="",
                contact_phone="",
                contact_email="",
                serves_livelihood=True,
                existing_users=0,
                round=1,
                lock_version=0,
                created_at=submitted,
                submitted_at=submitted,
            )
        )
        rows.append(
            dict(
                id=app_id,
                application_id=app_id,
                position=1,
                name=f"待审渠道{i}",
                form="app",
                access_mode="h5",
                national_scope=False,
                channel_id=None,
            )
        )
        steps.append(
            dict(
                application_id=app_id,
                round=1,
                stage="municipal",
                region_code=city,
                advisory=False,
                status="pending",
                opened_at=submitted,
                opinion="",
                contact="",
                phone="",
                reviewer_name="",
            )
        )
    _insert("application", apps)
    _insert("application_row", rows)
    _insert("review_step", steps)
    db.session.commit()


def _render(app, user, path: str) -> tuple[float, int]:
    from flask_login import login_user

    from app.extensions import db

    count = 0

    def seen(*_args):
        nonlocal count
        count += 1

    with app.test_request_context(path):
        login_user(user)
        sa.event.listen(db.engine, "before_cursor_execute", seen)
        start = time.perf_counter()
        response = app.full_dispatch_request()
        elapsed = time.perf_counter() - start
        sa.event.remove(db.engine, "before_cursor_execute", seen)
        assert response.status_code == 200, (user.username, path, response.status_code)
        db.session.remove()
    return elapsed * 1000, count


def measure(app, username: str, path: str) -> dict:
    from app.extensions import db
    from app.modules.accounts.models import User

    runs = []
    for _ in range(3):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        runs.append(_render(app, user, path))
    return {"ms": round(statistics.median(r[0] for r in runs), 1), "statements": runs[-1][1]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10000)
    parser.add_argument("--pending", type=int, default=5000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is emptied)")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from app.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(args.database_url, Path(tmp))
        with app.app_context():
            upgrade()
            rnd = random.Random(args.seed)
            load(args.channels, 3, date(2026, 7, 1), rnd)
            _staff(args.channels)
            _pending(args.channels, args.pending, rnd)
            baseline = statistics.median(_health(app) for _ in range(5))
            pages = {f"{user} {path}": measure(app, user, path) for user, paths in PAGES.items() for path in paths}
            db.session.remove()
            db.engine.dispose()
    for figures in pages.values():
        figures["ratio"] = round(figures["ms"] / baseline, 1)
    slowest = max(pages.values(), key=lambda f: f["ms"])
    print(
        json.dumps(
            {
                "channels": args.channels,
                "pending": args.pending,
                "database": "postgresql" if args.database_url else "sqlite",
                "baseline_ms": round(baseline, 2),
                "slowest_ms": slowest["ms"],
                "target_ms": 300,
                "pages": pages,
            },
            ensure_ascii=False,
        )
    )
    sys.stdout.flush()


def _health(app) -> float:
    with app.test_request_context("/healthz"):
        start = time.perf_counter()
        app.full_dispatch_request()
        return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    main()
