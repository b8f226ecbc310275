"""Statistics intake through the signed channel API (C2.1, C3.6): a live level-1 channel reports a finished month for
itself and its level-2 channels; bad figures are refused item by item with nothing recorded; a change to a reported
month is a correction with a reason, kept as a new version."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import RuleViolation
from app.core.timeutil import today
from app.extensions import db
from app.modules.gateway.signing import sign_request
from app.modules.monitoring import operations as ops
from app.modules.monitoring.models import MonthlyStatistic
from app.modules.monitoring.rules import figure_problems, parse_month
from tests.journeys import live_channel

PATH = "/api/v1/channel/statistics"


def last_month() -> str:
    return (today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def backdate(channel, days=400):
    """The channel went live long enough ago to have finished months behind it."""
    channel.live_since = today() - timedelta(days=days)
    db.session.commit()


def post(client, issued, body):
    import json

    raw = json.dumps(body).encode()
    headers = sign_request(issued.key.key_id, issued.secret, "POST", PATH, raw)
    return client.post(PATH, data=raw, headers=headers | {"Content-Type": "application/json"})


def figures(number, new=100, cumulative=1000, mau=300):
    return {
        "channel_number": number,
        "new_issuance": new,
        "cumulative_issuance": cumulative,
        "monthly_active_users": mau,
    }


def test_c3_6_a_live_channel_reports_a_finished_month_by_signed_request(world, client):
    channel, issued = live_channel(world)
    backdate(channel)
    response = post(client, issued, {"month": last_month(), "items": [figures(channel.channel_number)]})
    assert response.status_code == 201, response.json
    assert response.json["created"][0]["version"] == 1
    again = post(client, issued, {"month": last_month(), "items": [figures(channel.channel_number)]})
    assert again.status_code == 200 and again.json["unchanged"] and not again.json["created"]


def test_c3_6_a_correction_needs_a_reason_and_is_a_new_version(world, client):
    channel, issued = live_channel(world)
    backdate(channel)
    post(client, issued, {"month": last_month(), "items": [figures(channel.channel_number)]})
    silent = post(client, issued, {"month": last_month(), "items": [figures(channel.channel_number, mau=250)]})
    assert silent.status_code == 422 and "items.0.reason" in silent.json["error"]["fields"]
    corrected = post(
        client,
        issued,
        {"month": last_month(), "items": [figures(channel.channel_number, mau=250)], "reason": "去重后更正"},
    )
    assert corrected.status_code == 201 and corrected.json["corrected"][0]["version"] == 2
    rows = db.session.scalars(sa.select(MonthlyStatistic).order_by(MonthlyStatistic.version)).all()
    assert [(r.version, r.monthly_active_users, r.reason) for r in rows] == [(1, 300, ""), (2, 250, "去重后更正")]


def test_c3_6_bad_items_are_all_named_and_nothing_is_recorded(world, client):
    channel, issued = live_channel(world)
    backdate(channel)
    body = {
        "month": last_month(),
        "items": [figures(channel.channel_number, mau=5000), figures("1999999999")],
    }
    response = post(client, issued, body)
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert "items.0.monthly_active_users" in fields and "items.1.channel_number" in fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyStatistic)) == 0


def test_c3_6_cumulative_never_decreases_and_months_must_be_finished_and_live(world):
    channel, _issued = live_channel(world)
    backdate(channel)
    earlier = (today().replace(day=1) - timedelta(days=40)).strftime("%Y-%m")
    ops.report_month(channel, earlier, [figures(channel.channel_number, cumulative=2000)], source="gateway")
    with pytest.raises(RuleViolation) as exc:
        ops.report_month(channel, last_month(), [figures(channel.channel_number, cumulative=1500)], source="gateway")
    assert "items.0.cumulative_issuance" in exc.value.fields
    with pytest.raises(RuleViolation) as exc:
        ops.report_month(channel, today().strftime("%Y-%m"), [figures(channel.channel_number)], source="gateway")
    assert "items.0.month" in exc.value.fields
    before_live = (channel.live_since - timedelta(days=40)).strftime("%Y-%m")
    with pytest.raises(RuleViolation) as exc:
        ops.report_month(channel, before_live, [figures(channel.channel_number)], source="gateway")
    assert "items.0.month" in exc.value.fields


def test_figure_rules():
    may = date(2026, 5, 1)
    ok = {"new_issuance": 1, "cumulative_issuance": 10, "monthly_active_users": 5}
    assert figure_problems(ok, may, date(2026, 6, 1), date(2026, 1, 1), 9, 11) == []
    assert figure_problems(ok | {"new_issuance": -1}, may, date(2026, 6, 1), date(2026, 1, 1), None, None)
    assert parse_month("2026-13") is None and parse_month("2026-05") == may


def test_the_test_key_cannot_report_statistics(world, client):
    channel, _issued = live_channel(world)
    from app.modules.key_issuance.models import ChannelKey
    from app.modules.key_issuance.operations import key_secret

    test_key = db.session.scalar(
        sa.select(ChannelKey).where(ChannelKey.channel_id == channel.id, ChannelKey.environment == "test")
    )

    class Issued:
        key = test_key
        secret = key_secret(test_key).decode()

    response = post(client, Issued, {"month": last_month(), "items": [figures(channel.channel_number)]})
    assert response.status_code == 403 and response.json["error"]["code"] == "test_key_not_allowed"


def test_c3_6_a_level1_channel_reports_for_its_level2_channel(world, client):
    from app.modules.production.operations import go_live, production_channel
    from tests.journeys import (
        channel_in_testing,
        filed_production,
        reviewed_production,
        signed_agreement,
        verified_production,
    )

    parent, issued = live_channel(world)
    level2 = {
        "level": 2,
        "parent_channel_id": parent.id,
        "same_subject": True,
        "inherit_parent_scope": True,
        "level2": {
            "basic_facts": "信用卡客户",
            "management_relation": "同一法人",
            "capability_relation": "复用账户体系",
            "business_relation": "同一级渠道",
        },
        "rows": [{"name": "惠民小程序", "form": "mini_program", "access_mode": "h5"}],
    }
    child = channel_in_testing(world, **level2)
    app = verified_production(world, reviewed_production(world, filed_production(world, child)))
    signed_agreement(world, production_channel(app))
    go_live(world.operator, app.id)
    backdate(parent)
    backdate(child)
    body = {"month": last_month(), "items": [figures(parent.channel_number), figures(child.channel_number, mau=10)]}
    response = post(client, issued, body)
    assert response.status_code == 201, response.json
    assert {row["channel_number"] for row in response.json["created"]} == {parent.channel_number, child.channel_number}
    row = db.session.scalar(sa.select(MonthlyStatistic).where(MonthlyStatistic.channel_id == child.id))
    assert row.reported_by_channel_id == parent.id and row.reported_by_key_id == issued.key.key_id
