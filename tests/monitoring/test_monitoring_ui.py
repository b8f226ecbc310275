"""Statistics by CSV — the portal upload and the operator's bulk import, all rows or none with every bad row named
(C3.6) — and the monitoring pages and API: a channel's charts with the thresholds and its notices (C4.7), the
operator's overview with filters and a logged CSV export (S5), evaluation by hand, improvement plans (C4.11)."""

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.extensions import db
from app.modules.monitoring.imports import ImportRefused, import_statistics
from app.modules.monitoring.models import MonitoringRecord, MonthlyStatistic
from tests.conftest import bearer, login
from tests.monitoring.test_evaluation import BANK, live, report, run

HEADER = "channel_number,month,new_issuance,cumulative_issuance,monthly_active_users,reason\n"


def csv(*rows) -> bytes:
    return (HEADER + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()


def count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyStatistic))


def test_c3_6_a_csv_upload_is_all_or_nothing_and_names_every_bad_row(world):
    channel = live(world, **BANK)
    n = channel.channel_number
    bad = csv(
        (n, "2026-01", 100, 100, 50, ""),
        (n, "2026-02", -1, 90, 50, ""),
        ("X999", "2026-02", 1, 1, 1, ""),
        (n, "2026-03", 10, 150, 200, ""),
        (n, "2099-01", 1, 1000, 1, ""),
    )
    try:
        import_statistics(world.company_a, bad, source="portal")
        raise AssertionError("the file should have been refused")
    except ImportRefused as exc:
        found = {(p["line"], p["field"]) for p in exc.problems}
    assert {(3, "new_issuance"), (4, "channel_number"), (5, "monthly_active_users"), (6, "month")} <= found
    assert count() == 0  # nothing half-imported
    good = csv((n, "2026-01", 100, 100, 50, ""), (n, "2026-02", 50, 150, 60, ""))
    assert import_statistics(world.company_a, good, source="portal").as_dict()["created"] == 2
    assert import_statistics(world.company_a, good, source="portal").as_dict()["unchanged"] == 2
    changed = csv((n, "2026-02", 60, 160, 60, ""))
    try:
        import_statistics(world.company_a, changed, source="portal")
        raise AssertionError("a correction without a reason should be refused")
    except ImportRefused as exc:
        assert exc.problems[0]["field"] == "reason"
    assert import_statistics(world.company_a, csv((n, "2026-02", 60, 160, 60, "补报")), source="portal").corrected == 1
    versions = db.session.scalars(sa.select(MonthlyStatistic.version).where(MonthlyStatistic.month == date(2026, 2, 1)))
    assert sorted(versions) == [1, 2]
    try:
        import_statistics(world.company_b, csv((n, "2026-03", 1, 161, 1, "")), source="portal")
        raise AssertionError("another company's channel should be unknown")
    except ImportRefused as exc:
        assert exc.problems[0]["field"] == "channel_number"


def test_c3_6_upload_page_and_operator_import_api(world, client):
    channel = live(world, **BANK)
    n = channel.channel_number
    login(client, "company_a")
    page = client.post("/statistics/import", data={"file": (io.BytesIO(csv((n, "2026-01", 5, 5, 5, ""))), "f.csv")})
    assert page.status_code == 200 and "import-result" in page.text
    refused = client.post("/statistics/import", data={"file": (io.BytesIO(csv((n, "2026-02", 1, 1, 9, ""))), "f.csv")})
    assert "import-problems" in refused.text
    api = client.post(
        "/api/v1/statistics/import", headers=bearer(world.operator), data=csv((n, "2026-02", 5, 10, 5, ""))
    )
    assert api.status_code == 200 and api.json["created"] == 1
    wrong = client.post(
        "/api/v1/statistics/import", headers=bearer(world.operator), data=csv((n, "2026-03", 1, 2, 1, ""))
    )
    assert wrong.status_code == 422 and "line 2.cumulative_issuance" in wrong.json["error"]["fields"]
    source = db.session.scalar(sa.select(MonthlyStatistic.source).where(MonthlyStatistic.month == date(2026, 2, 1)))
    assert source == "import"


def _noticed(world):
    channel = live(world, **BANK)
    report(channel, "2026-01", [(40, 40, 1), (30, 70, 1), (29, 99, 1)])
    run("2026-03")
    return channel


def _charts(page: str) -> list[dict]:
    """Every chart of a page, read back from its SVG: the values of its points, their heights, the axis, the months."""
    found = []
    for svg in re.findall(r'<svg class="chart-svg".*?</svg>', page, re.S):
        dots = re.findall(
            r'<circle class="dot" cx="[\d.]+" cy="([\d.]+)" r="4" data-month="([\d-]+)" data-value="(\d+)"', svg
        )
        ticks = [float(t) for t in re.findall(r'<line class="grid" x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"', svg)]
        labels = [
            int(v.replace(",", ""))
            for v in re.findall(r'<text class="axis"[^>]*text-anchor="end">([\d,]+)</text>', svg)
        ]
        threshold = re.search(r'<polyline class="threshold" points="([^"]+)"', svg)
        found.append(
            {
                "values": [int(v) for _y, _m, v in dots],
                "ys": [float(y) for y, _m, _v in dots],
                "months": re.findall(r'text-anchor="middle">(\d{4}-\d{2})</text>', svg),
                "bottom": ticks[0],
                "height": ticks[0] - ticks[-1],
                "top": labels[-1],
                "threshold": threshold.group(1).split() if threshold else [],
            }
        )
    return found


def test_c4_7_the_channel_page_charts_the_figures_with_the_thresholds_and_lists_the_notices(world, client):
    channel = _noticed(world)
    login(client, "company_a")
    page = client.get(f"/channels/{channel.id}/monitoring").text
    charts = _charts(page)
    assert [c["values"] for c in charts] == [[40, 30, 29], [40, 70, 99], [1, 1, 1]]  # the figures, month by month
    assert charts[0]["months"] == ["2026-01", "2026-02", "2026-03"] and charts[0]["threshold"]
    assert charts[1]["threshold"] == [] and charts[2]["threshold"]  # cumulative issuance has no threshold line
    for c in charts:  # each point stands where its value lies on the value axis
        for value, y in zip(c["values"], c["ys"], strict=True):
            assert abs(c["bottom"] - y - value / c["top"] * c["height"]) < 0.2
    assert "C4.9a" in page and page.count('class="legend"') == 3
    data = client.get(f"/api/v1/channels/{channel.id}/monitoring", headers=bearer(world.company_a)).json
    assert [p["month"] for p in data["series"]] == ["2026-01", "2026-02", "2026-03"]
    assert data["series"][0]["mau_threshold"] == 1.2 and {r["rule"] for r in data["records"]} == {"C4.9a", "C4.9c"}
    assert client.get(f"/api/v1/channels/{channel.id}/monitoring", headers=bearer(world.company_b)).status_code == 404


def test_c4_7_s5_the_overview_filters_and_its_export_is_a_separate_logged_permission(world, client):
    channel = _noticed(world)
    login(client, "operator")
    page = client.get("/monitoring?state=improving&category=bank").text
    assert channel.name in page
    assert channel.name not in client.get("/monitoring?state=alerted").text
    assert channel.name not in client.get("/monitoring?region=440000").text
    exported = client.get("/monitoring/export.csv?state=improving")
    assert exported.status_code == 200 and channel.channel_number in exported.text
    logged = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "monitoring.export"))
    assert logged.after["rows"] == 1 and logged.actor_name == "operator"
    api = client.get("/api/v1/monitoring/overview?state=improving", headers=bearer(world.operator)).json
    assert [i["channel_id"] for i in api["items"]] == [channel.id]
    assert client.get("/api/v1/monitoring/overview.csv", headers=bearer(world.auditor)).status_code == 403
    assert client.get("/api/v1/monitoring/overview", headers=bearer(world.auditor)).status_code == 200


def test_c4_9_evaluation_by_hand_from_the_page_and_the_api(world, client):
    channel = live(world, **BANK)
    report(channel, "2026-01", [(40, 40, 1), (30, 70, 1), (29, 99, 1)])
    login(client, "operator")
    client.post("/monitoring/evaluate", data={"month": "2026-03", "dry_run": "y"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonitoringRecord)) == 0
    done = client.post("/api/v1/monitoring/evaluations", headers=bearer(world.operator), json={"month": "2026-03"})
    assert done.status_code == 200 and done.json["notices"] == 2
    future = client.post("/api/v1/monitoring/evaluations", headers=bearer(world.operator), json={"month": "2099-01"})
    assert future.status_code == 422


def test_c4_11_improvement_plan_through_the_api(world, client):
    channel = live(world, **BANK)
    report(
        channel,
        "2026-01",
        [(50, 50, 1), (30, 80, 1), (30, 110, 1), (30, 140, 1), (1, 141, 1), (1, 142, 1), (1, 143, 1)],
    )
    for month in ("2026-04", "2026-05", "2026-06", "2026-07"):
        run(month)
    early = client.post(
        f"/api/v1/channels/{channel.id}/improvement-plans", headers=bearer(world.company_b), json={"body": "x"}
    )
    assert early.status_code == 404
    plan = client.post(
        f"/api/v1/channels/{channel.id}/improvement-plans", headers=bearer(world.company_a), json={"body": "方案"}
    )
    assert plan.status_code == 201
    decided = client.post(
        f"/api/v1/improvement-plans/{plan.json['id']}/decision", headers=bearer(world.operator), json={"approve": True}
    )
    assert decided.json["status"] == "approved"
    alerts = db.session.scalars(sa.select(MonitoringRecord.status).where(MonitoringRecord.kind == "alert")).all()
    assert alerts == ["resolved"]
    objection = client.post(
        f"/api/v1/channels/{channel.id}/renewal-objection", headers=bearer(world.operator), json={"objection": "投诉多"}
    )
    assert objection.status_code == 200 and objection.json["outcome"] == "pending"


def _refused(user, data) -> set[tuple[int, str]]:
    with pytest.raises(ImportRefused) as exc:
        import_statistics(user, data, source="portal")
    return {(p["line"], p["field"]) for p in exc.value.problems}


def test_c3_6_an_empty_file_a_repeated_month_and_unreadable_figures_are_refused(world):
    channel = live(world, **BANK)
    n = channel.channel_number
    assert _refused(world.company_a, csv()) == {(1, "file")}
    twice = csv((n, "2026-01", 100, 100, 50, ""), (n, "2026-01", 100, 100, 50, ""))
    assert _refused(world.company_a, twice) == {(3, "month")}
    unreadable = csv((n, "2026-01", 100, "many", 50, ""), (n, "2026-02", 10, 110, 50, ""))
    assert (2, "cumulative_issuance") in _refused(world.company_a, unreadable)
    assert count() == 0


def test_c3_6_a_reviewer_reports_for_no_channel_and_a_file_too_large_is_refused_unread(world, app, monkeypatch):
    channel = live(world, **BANK)
    row = (channel.channel_number, "2026-01", 100, 100, 50, "")
    assert _refused(world.jinan, csv(row)) == {(2, "channel_number")}  # C3.6: only owners and the operator report
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 16)
    assert _refused(world.company_a, csv(row)) == {(1, "file")}
    assert count() == 0


def test_s12_every_job_and_evaluation_trigger_is_shown_by_its_title(app):
    """The job runs and evaluation runs on the monitoring page name their job and trigger in words (issue 15 item 3)."""
    from app.core import jobs
    from app.core.i18n import CODES

    recorded = {j.claim or j.key for j in jobs.DAILY} | {"monthly_evaluation"}
    assert recorded <= set(CODES["job"])
    assert {"schedule", "operator", "cli", "demo"} <= set(CODES["evaluation_trigger"])
