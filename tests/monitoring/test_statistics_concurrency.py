"""C3.6 under concurrency and hostile files: ten imports of the same channel-month at once never give a 500 — one
writes, the others find it written or get a 409 — for the CSV import and the signed statistics request alike; a CSV
with a NUL character or an integer beyond the BIGINT range is refused naming line and field; 50,000 rows of one
channel validate in seconds (the check was quadratic)."""

import json
import time

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.modules.gateway.signing import sign_request
from app.modules.monitoring.imports import ImportRefused, import_statistics
from app.modules.monitoring.models import MonthlyStatistic
from tests.conftest import bearer, in_parallel
from tests.journeys import live_channel
from tests.monitoring.test_statistics_intake import PATH, backdate, figures, last_month

pytestmark = pytest.mark.commits  # real commits from several connections or processes

PARALLEL = 10


def _versions(channel) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(MonthlyStatistic.version).where(MonthlyStatistic.channel_id == channel.id))
    )


def test_c3_6_parallel_signed_reports_of_one_month_never_fail(world, live_server):
    channel, issued = live_channel(world)
    backdate(channel)
    raw = json.dumps({"month": last_month(), "items": [figures(channel.channel_number)]}).encode()
    requests_ = [sign_request(issued.key.key_id, issued.secret, "POST", PATH, raw) for _ in range(PARALLEL)]

    def send(i):
        headers = requests_[i] | {"Content-Type": "application/json"}
        return requests.post(live_server + PATH, data=raw, headers=headers, timeout=60)

    statuses = sorted(r.status_code for r in in_parallel(PARALLEL, send))
    assert all(s < 500 for s in statuses), statuses
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, statuses
    assert _versions(channel) == [1]


def test_c3_6_parallel_csv_imports_of_one_month_never_fail(world, live_server):
    channel, _issued = live_channel(world)
    backdate(channel)
    body = (
        "channel_number,month,new_issuance,cumulative_issuance,monthly_active_users\n"
        f"{channel.channel_number},{last_month()},100,1000,300\n"
    ).encode()
    headers = bearer(world.operator) | {"Content-Type": "text/csv"}
    db.session.commit()

    def send(_i):
        return requests.post(f"{live_server}/api/v1/statistics/import", data=body, headers=headers, timeout=60)

    responses = in_parallel(PARALLEL, send)
    statuses = sorted(r.status_code for r in responses)
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) <= {200, 409}, statuses
    conflict = next((r for r in responses if r.status_code == 409), None)
    if conflict is not None:
        assert conflict.json()["error"]["code"] == "concurrent_write"
    assert _versions(channel) == [1]


def _refused(world, text: str) -> list[dict]:
    try:
        import_statistics(world.operator, text.encode(), source="import")
    except ImportRefused as exc:
        return exc.problems
    raise AssertionError("the file was accepted")


def test_c3_6_hostile_csv_fields_are_refused_by_line_and_field(world):
    channel, _issued = live_channel(world)
    backdate(channel)
    head = "channel_number,month,new_issuance,cumulative_issuance,monthly_active_users,reason\n"
    nul = _refused(world, head + f"{channel.channel_number},{last_month()},1,2,1,bad\x00reason\n")
    assert nul[0]["line"] == 2 and nul[0]["field"] == "reason"
    huge = _refused(world, head + f"{channel.channel_number},{last_month()},1,{2**63},1,\n")
    assert (huge[0]["line"], huge[0]["field"]) == (2, "cumulative_issuance")
    odd = _refused(world, head + f"{channel.channel_number},{last_month()},²,2,1,\n")
    assert odd[0]["field"] == "new_issuance"


def test_c3_6_fifty_thousand_rows_of_one_channel_validate_in_seconds(world):
    from datetime import date

    channel, _issued = live_channel(world)
    channel.live_since = date(1000, 1, 1)
    db.session.commit()
    lines, year, month = [], 1001, 1
    for i in range(50_000):
        lines.append(f"{channel.channel_number},{year:04d}-{month:02d},10,{10 * (i + 1)},5,\n")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    head = "channel_number,month,new_issuance,cumulative_issuance,monthly_active_users,reason\n"
    start = time.perf_counter()
    problems = _refused(world, head + "".join(lines))  # months after today are refused, after every row is checked
    assert time.perf_counter() - start < 20  # was quadratic: 8,000 rows took 10 s, 50,000 timed out
    assert problems and all(p["field"] == "month" for p in problems)
