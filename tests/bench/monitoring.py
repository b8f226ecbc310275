"""Benchmark of the monthly evaluation (issue 7, C4.8–C4.10):

    python -m tests.bench.monitoring --channels 10000 --months 24 [--database-url URL]

Builds a fresh database (a temporary SQLite file by default; with --database-url the PostgreSQL database given is
EMPTIED first), generates that many channels — a realistic mix of levels (70 % level-1; of the level-2 channels 70 %
same subject) and categories, with the Form 2 commitments of the social ones — and M months of figures each (most
healthy, some with low issuance, halving issuance, low MAU or below their commitments), runs one evaluation of the
last month, then the same month again, and prints one JSON line: channels, months, rows, load_s, evaluate_s, two
baselines from the same run (the best of three each) with the ratio evaluate / baseline — one aggregate scan of every
figure, and the figures of the months the evaluation reads summed per unit and month and fetched — rerun_s and
rerun_ratio (the second run reads and decides everything again but has nothing to write), statements (SQL statements
the evaluation sent, one per execute call), peak_rss_mb, notices, alerts."""

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.modules.agreements.rules import add_months

CATEGORIES = (
    ["bank"] * 30 + ["social"] * 25 + ["medical"] * 15 + ["hrss"] * 10 + ["government"] * 10 + ["national_signed"] * 10
)
PROFILES = ["healthy"] * 80 + ["low"] * 6 + ["halving"] * 5 + ["low_mau"] * 5 + ["short_of_commitment"] * 4


def figures(profile: str, months: int, rnd: random.Random) -> list[tuple[int, int, int]]:
    rows, cumulative = [], rnd.randint(0, 5000)
    for i in range(months):
        if profile == "low":
            new = rnd.randint(0, 30)
        elif profile == "halving" and i >= months - 4:
            new = 8000 // (2 ** (i - (months - 4))) - 100
        elif profile == "short_of_commitment":
            new = rnd.randint(3000, 5000)
        else:
            new = rnd.randint(500, 8000)
        cumulative += new
        ratio = 0.01 if profile == "low_mau" else rnd.uniform(0.05, 0.4)
        mau = int(cumulative * ratio)
        if profile == "short_of_commitment":
            mau = min(cumulative, rnd.randint(10000, 20000))
        rows.append((new, cumulative, mau))
    return rows


def make_app(url: str | None, workdir: Path):
    from app import create_app

    url = url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        KEYS_DIR=str(workdir / "keys"),
        UPLOAD_FOLDER=str(workdir / "uploads"),
        OUTBOX_FOLDER=str(workdir / "outbox"),
        REQUIRE_CJK_FONT=False,
    )


def _insert(table: str, rows: list[dict], chunk: int = 20000) -> None:
    from app.extensions import db

    target = db.metadata.tables[table]
    for i in range(0, len(rows), chunk):
        db.session.execute(target.insert(), rows[i : i + chunk])


def load(n: int, months: int, first: date, rnd: random.Random) -> int:
    """Organisations, users, channels, test applications with Form 2 for social channels, and the figures."""
    from app.extensions import db

    now = datetime(2026, 1, 1)
    orgs = max(1, n // 5)
    _insert(
        "organisation",
        [
            dict(id=i, name=f"单位{i}", uscc=f"91{i:016d}", registered_address="", category="social", created_at=now)
            for i in range(1, orgs + 1)
        ],
    )
    _insert(
        "user_account",
        [
            dict(
                id=i,
                username=f"u{i}",
                display_name=f"经办人{i}",
                email=f"u{i}@example.cn",
                phone="",
                password_hash="x",
                role="company",
                organisation_id=i,
                active=True,
                locked=False,
                failed_logins=0,
                totp_enabled=False,
                totp_last_step=0,
                created_at=now,
            )
            for i in range(1, orgs + 1)
        ],
    )
    live_since = first - timedelta(days=10)
    channels, level1, apps, rows, socials, stats = [], [], [], [], [], []
    for cid in range(1, n + 1):
        category = rnd.choice(CATEGORIES)
        level, parent, same = 1, None, None
        if level1 and rnd.random() < 0.3:
            parent_id, parent_owner, parent_category = rnd.choice(level1)
            level, parent, same = 2, parent_id, rnd.random() < 0.7
            owner = parent_owner if same else rnd.randint(1, orgs)
            category = parent_category
        else:
            owner = rnd.randint(1, orgs)
            level1.append((cid, owner, category))
        channels.append(
            dict(
                id=cid,
                name=f"渠道{cid}",
                form="app",
                category=category,
                level=level,
                access_mode="h5",
                owner_id=owner,
                parent_id=parent,
                same_subject=same,
                platform_capability=False,
                status="live",
                channel_number=f"N{cid:09d}",
                suspended_for_testing=False,
                live_since=live_since,
                contact_name="",
                contact_phone="",
                contact_email="",
                created_at=now,
            )
        )
        if category == "social" and level == 1:
            apps.append(
                dict(
                    id=cid,
                    number=f"T{cid:012d}",
                    kind="test",
                    status="completed",
                    applicant_id=owner,
                    created_by_id=owner,
                    category="social",
                    level=1,
                    inherit_parent_scope=False,
                    fill_date=first,
                    contact_name="",
                    contact_phone="",
                    contact_email="",
                    serves_livelihood=True,
                    existing_users=0,
                    round=1,
                    lock_version=0,
                    created_at=now,
                )
            )
            rows.append(
                dict(
                    id=cid,
                    application_id=cid,
                    position=1,
                    name=f"渠道{cid}",
                    form="app",
                    access_mode="h5",
                    national_scope=False,
                    channel_id=cid,
                )
            )
            socials.append(
                dict(
                    application_id=cid,
                    user_groups="",
                    registered_users=0,
                    monthly_active_users=0,
                    introduction="",
                    download_url="",
                    covered_regions="",
                    scenario_fit="",
                    entry_point="",
                    expansion_plan="",
                    committed_annual_issuance=120000,
                    committed_mau=50000,
                    company_materials="",
                )
            )
        for i, (new, cumulative, mau) in enumerate(figures(rnd.choice(PROFILES), months, rnd)):
            stats.append(
                dict(
                    channel_id=cid,
                    month=add_months(first, i),
                    version=1,
                    new_issuance=new,
                    cumulative_issuance=cumulative,
                    monthly_active_users=mau,
                    source="import",
                    reason="",
                    created_at=now,
                )
            )
    _insert("channel", channels)
    _insert("application", apps)
    _insert("application_row", rows)
    _insert("social_supplement", socials)
    _insert("monthly_statistic", stats)
    db.session.commit()
    return len(stats)


def single_scan() -> float:
    """The floor: one aggregate scan of every figure (what any evaluation has to read at least once)."""
    from app.extensions import db

    start = time.perf_counter()
    db.session.execute(
        sa.text(
            "SELECT count(*), sum(new_issuance), sum(cumulative_issuance), sum(monthly_active_users) "
            "FROM monthly_statistic"
        )
    ).one()
    return time.perf_counter() - start


def span_scan(first: date, last: date) -> float:
    """A second floor: the figures the evaluation reads, summed per unit and month in one aggregate scan and fetched —
    without choosing the current versions and without deciding anything."""
    from app.extensions import db

    start = time.perf_counter()
    db.session.execute(
        sa.text(
            "SELECT CASE WHEN c.level = 2 AND c.same_subject THEN c.parent_id ELSE c.id END AS unit, s.month, "
            "sum(s.new_issuance), sum(s.cumulative_issuance), sum(s.monthly_active_users) "
            "FROM monthly_statistic s JOIN channel c ON c.id = s.channel_id "
            "WHERE s.month BETWEEN :first AND :last GROUP BY 1, 2"
        ),
        {"first": first, "last": last},
    ).all()
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is emptied)")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from app.extensions import db
    from app.modules.monitoring.evaluation import evaluate

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(args.database_url, Path(tmp))
        with app.app_context():
            upgrade()
            first = date(2024, 1, 1)
            start = time.perf_counter()
            rows = load(args.channels, args.months, first, random.Random(args.seed))
            load_s = time.perf_counter() - start
            if db.engine.dialect.name == "postgresql":  # as autovacuum would have, long before a monthly run
                db.session.remove()
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(sa.text("VACUUM ANALYZE"))
            last = add_months(first, args.months - 1)
            floor = min(single_scan() for _ in range(3))
            span = min(span_scan(add_months(last, -5), last) for _ in range(3))
            start = time.perf_counter()
            outcome = evaluate(last, trigger="bench")
            db.session.commit()
            evaluate_s = time.perf_counter() - start
            start = time.perf_counter()
            again = evaluate(last, trigger="bench")  # the same month again: everything read and decided, nothing new
            db.session.commit()
            rerun_s = time.perf_counter() - start
            assert not again.new and not again.changes
            db.session.remove()
            db.engine.dispose()
    print(
        json.dumps(
            {
                "channels": args.channels,
                "months": args.months,
                "rows": rows,
                "load_s": round(load_s, 2),
                "evaluate_s": round(evaluate_s, 3),
                "baseline_scan_s": round(floor, 4),
                "ratio": round(evaluate_s / floor, 1),
                "baseline_span_s": round(span, 4),
                "ratio_span": round(evaluate_s / span, 1),
                "rerun_s": round(rerun_s, 3),
                "rerun_ratio": round(rerun_s / floor, 1),
                "statements": outcome.statements,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "notices": outcome.notices,
                "alerts": outcome.alerts,
                "database": "postgresql" if args.database_url else "sqlite",
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
