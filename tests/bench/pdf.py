"""PDF benchmark (issue 5): `python -m tests.bench.pdf --n 50`.

Builds a scratch SQLite database with the demo data, then renders Form 1 (a bank application reviewed by two cities and
a province) and Form 3 (a production intake with all four opinions) N times each after a warm-up, and downloads an
already-issued form N times through the web page (the cached path: auth, jurisdiction check, file from storage).
Prints one JSON line: form1_median_ms, form3_median_ms, p95_ms, pages, bytes, cached_ms.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import sqlalchemy as sa


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="essc-bench-pdf-")
    os.environ.setdefault("FLASK_CONFIG", "development")
    from app import create_app

    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{scratch}/bench.sqlite3",
        KEYS_DIR=scratch,
        UPLOAD_FOLDER=f"{scratch}/uploads",
        WTF_CSRF_ENABLED=False,
    )
    with app.app_context():
        figures = run(app, args.n, args.warmup)
    print(json.dumps(figures))


def render_once(kind, record):
    """What an uncached download does: build the content from the database, render, sign nothing yet."""
    from app.modules.documents import content as forms
    from app.modules.documents import operations as documents
    from app.modules.reviews.operations import round_steps

    content = forms.for_template(forms.application_content(record, round_steps(record)))
    code = documents.new_code()
    return documents._render(kind, content | {"code": code, "verify_url": documents.verify_url(code)})


def run(app, n: int, warmup: int) -> dict:
    from flask_migrate import upgrade

    from app.extensions import db
    from app.modules.applications.models import Application
    from app.modules.demo.data import DEMO_PASSWORD, load_demo
    from app.modules.documents import operations as documents

    upgrade()
    load_demo()
    form1_app = db.session.scalar(
        sa.select(Application).where(Application.kind == "test", Application.round > 0).order_by(Application.id.desc())
    )
    form3_app = db.session.scalar(
        sa.select(Application).where(Application.kind == "production", Application.status == "completed")
    )
    timings, pages, sizes = {"form1": [], "form3": []}, [], []
    for kind, record in (("form1", form1_app), ("form3", form3_app)):
        for i in range(warmup + n):
            ms, (pdf, page_count) = timed(lambda kind=kind, record=record: render_once(kind, record))
            if i >= warmup:
                timings[kind].append(ms)
                pages.append(page_count)
                sizes.append(len(pdf))
    document = documents.issue(form1_app, "form1")
    client = app.test_client()
    owner = form1_app.created_by.username
    client.post("/login", data={"username": owner, "password": DEMO_PASSWORD})
    url = f"/applications/{form1_app.id}/forms/form1.pdf"
    assert client.get(url).status_code == 200
    cached = [timed(lambda: client.get(url))[0] for _ in range(n)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(type(document))) == 1
    every = timings["form1"] + timings["form3"]
    return {
        "n": n,
        "form1_median_ms": round(statistics.median(timings["form1"]), 1),
        "form3_median_ms": round(statistics.median(timings["form3"]), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "pages": max(pages),
        "bytes": round(statistics.median(sizes)),
        "cached_ms": round(statistics.median(cached), 2),
    }


if __name__ == "__main__":
    sys.exit(main())
