"""C4.3 platform notices (selection, acknowledgement, who has not, reminders) and C4.4 channels' own notices (in
advance, the operator's calendar); S1 every notice goes through a reviewed template."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import timeutil
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.modules.applications import aggregate
from app.modules.messaging.models import Message
from app.modules.notices import operations as ops
from app.modules.notices.models import PlatformNotice
from tests.conftest import bearer, file_application, login
from tests.journeys import channel_in_testing

NOTICE = {"kind": "upgrade", "title": "平台接口升级", "body": "平台将升级签名算法。"}


def _two_channels(world):
    """Company A's channel in Jinan and company B's in Guangzhou, both in integration testing."""
    jinan = channel_in_testing(world)
    rows = [
        {"name": "广州便民APP", "form": "app", "access_mode": "h5", "regions": ["440100"], "services": ["standard"]}
    ]
    guangzhou = channel_in_testing(world, rows=rows, user=world.company_b)
    return jinan, guangzhou


def _messages(org_id, text):
    return [
        m for m in db.session.scalars(sa.select(Message).where(Message.organisation_id == org_id)) if text in m.subject
    ]


def test_c4_3_a_notice_goes_to_the_selection_and_each_channel_acknowledges(world):
    jinan, guangzhou = _two_channels(world)
    everyone = ops.publish_notice(world.operator, NOTICE)
    assert {r.channel_id for r in everyone.recipients} == {jinan.id, guangzhou.id}
    shandong = ops.publish_notice(world.operator, NOTICE | {"title": "山东维护", "region_codes": ["370000"]})
    assert [r.channel_id for r in shandong.recipients] == [jinan.id]  # a province selects its cities' channels
    assert ops.publish_notice(world.operator, NOTICE | {"levels": [1], "categories": [str(jinan.category)]})
    with pytest.raises(RuleViolation):
        ops.publish_notice(world.operator, NOTICE | {"levels": [2]})  # nobody selected: refused, nothing kept
    assert _messages(world.org_a.id, "平台接口升级") and not _messages(world.org_b.id, "山东维护")
    ops.acknowledge(world.company_a, everyone.id, jinan.id)
    ops.acknowledge(world.company_a, everyone.id, jinan.id)  # a second confirmation changes nothing
    pending = ops.recipients_of(world.operator, everyone, unacknowledged_only=True)
    assert [r.channel_id for r in pending] == [guangzhou.id]  # the operator sees who has not
    assert ops.acknowledgement_counts([everyone.id]) == {everyone.id: (1, 2)}


def test_c4_3_an_acknowledgement_by_another_company_is_refused(world):
    jinan, guangzhou = _two_channels(world)
    notice = ops.publish_notice(world.operator, NOTICE)
    with pytest.raises(NotFound):
        ops.acknowledge(world.company_b, notice.id, jinan.id)
    shandong = ops.publish_notice(world.operator, NOTICE | {"region_codes": ["370000"]})
    with pytest.raises(NotFound):
        ops.get_notice(world.company_b, shandong.id)  # not sent to B: not even visible
    assert [r.channel_id for r in ops.recipients_of(world.company_b, notice)] == [guangzhou.id]
    assert ops.recipients_of(world.operator, notice, unacknowledged_only=True)[0].acknowledged_at is None


def test_c4_3_reminders_go_out_once_after_the_configured_time(world, app):
    jinan, guangzhou = _two_channels(world)
    notice = ops.publish_notice(world.operator, NOTICE)
    ops.acknowledge(world.company_b, notice.id, guangzhou.id)
    hours = app.config["NOTICE_REMINDER_HOURS"]
    assert ops.send_reminders(timeutil.utcnow() + timedelta(hours=hours - 1)) == 0
    assert ops.send_reminders(timeutil.utcnow() + timedelta(hours=hours + 1)) == 1
    assert ops.send_reminders(timeutil.utcnow() + timedelta(hours=hours + 2)) == 0
    reminders = _messages(world.org_a.id, "请确认平台公告")
    assert len(reminders) == 1 and jinan.name in reminders[0].body
    assert not _messages(world.org_b.id, "请确认平台公告")


def _future(hours=48):
    return timeutil.utcnow() + timedelta(hours=hours)


def test_c4_4_a_channel_announces_its_maintenance_in_advance_and_the_operator_sees_the_calendar(world):
    jinan = channel_in_testing(world)
    data = {"kind": "maintenance", "starts_at": _future(), "ends_at": _future(50), "description": "机房迁移"}
    notice = ops.file_channel_notice(world.company_a, jinan.id, data)
    told = db.session.scalars(sa.select(Message).where(Message.user_id == world.operator.id)).all()
    assert any("维护报备" in m.subject and "机房迁移" in m.body for m in told)
    start, end = ops.month_bounds(timeutil.local(notice.starts_at)[:7])
    assert ops.calendar(world.operator, start, end) == [notice]
    assert ops.calendar(world.company_b, start, end) == []


def test_c4_4_in_the_past_wrong_kind_or_someone_elses_channel_is_refused(world):
    jinan = channel_in_testing(world)
    past = {"kind": "maintenance", "starts_at": _future(-1), "description": "x"}
    with pytest.raises(RuleViolation) as exc:
        ops.file_channel_notice(world.company_a, jinan.id, past)
    assert exc.value.code == "C4.4"
    with pytest.raises(RuleViolation):
        ops.file_channel_notice(world.company_a, jinan.id, past | {"starts_at": _future(), "kind": "upgrade"})
    with pytest.raises(RuleViolation):
        ops.file_channel_notice(world.company_a, jinan.id, past | {"starts_at": _future(), "ends_at": _future(1)})
    with pytest.raises(NotFound):
        ops.file_channel_notice(world.company_b, jinan.id, past | {"starts_at": _future()})
    with pytest.raises(NotFound):  # the operator reads the calendar; the channel announces
        ops.file_channel_notice(world.operator, jinan.id, past | {"starts_at": _future()})
    start, end = ops.month_bounds(None)
    assert ops.calendar(world.operator, start - timedelta(days=40), end + timedelta(days=40)) == []


def test_c4_4_a_channel_no_longer_connected_has_nothing_to_announce(world):
    withdrawn = file_application(world.company_a)
    aggregate.withdraw(world.company_a, withdrawn)
    channel = withdrawn.rows[0].channel
    with pytest.raises(Conflict) as exc:
        ops.file_channel_notice(world.company_a, channel.id, {"kind": "maintenance", "starts_at": _future()})
    assert exc.value.code == "C4.4" and channel.status == "withdrawn"


def test_c4_3_only_the_operator_publishes_to_a_valid_selection(world):
    channel_in_testing(world)
    with pytest.raises(Forbidden):
        ops.publish_notice(world.company_a, NOTICE)
    with pytest.raises(RuleViolation) as exc:
        ops.publish_notice(world.operator, NOTICE | {"categories": ["bank", "casino"]})
    assert exc.value.fields == {"categories": ["casino"]}
    with pytest.raises(RuleViolation) as exc:
        ops.publish_notice(world.operator, NOTICE | {"levels": [3]})
    assert "levels" in exc.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlatformNotice)) == 0


def test_c4_4_the_calendar_month_is_yyyy_mm_within_range():
    for text in ("2026-13", "26-01", "1999-12", "2200-01"):
        with pytest.raises(RuleViolation) as exc:
            ops.month_bounds(text)
        assert "month" in exc.value.fields
    start, end = ops.month_bounds("2026-02")
    assert (end - start).days == 28


def test_c4_3_c4_4_through_the_pages(world, client):
    jinan = channel_in_testing(world)
    login(client, "operator")
    page = client.post("/notices", data=NOTICE | {"region_codes": ["370100"]})
    assert page.status_code == 302
    notice_url = page.headers["Location"]
    assert "未确认" in client.get(notice_url + "?unacknowledged=1").text
    client.post("/logout")
    login(client, "company_a")
    assert "平台接口升级" in client.get("/notices").text
    notice_id = int(notice_url.rstrip("/").split("/")[-1])
    assert client.post(f"/notices/{notice_id}/acknowledge", data={"channel_id": jinan.id}).status_code == 302
    assert ops.recipients_of(world.operator, ops.get_notice(world.operator, notice_id), True) == []
    start = timeutil.local(_future())
    filed = client.post(
        "/channel-notices",
        data={
            "channel_id": jinan.id,
            "kind": "suspension",
            "starts_at": start.replace(" ", "T"),
            "description": "停机",
        },
    )
    assert filed.status_code == 302
    past = client.post(
        "/channel-notices",
        data={"channel_id": jinan.id, "kind": "suspension", "starts_at": "2020-01-01T08:00", "description": "停机"},
    )
    assert past.status_code == 200 and "须提前报备" in past.text
    client.post("/logout")
    login(client, "operator")
    assert "停机" in client.get(f"/channel-notices?month={start[:7]}").text
    client.post("/logout")
    login(client, "company_b")
    assert client.get(f"/notices/{notice_id}").status_code == 404


def test_c4_3_c4_4_through_the_api(world, client):
    jinan, guangzhou = _two_channels(world)
    operator, company_a, company_b = bearer(world.operator), bearer(world.company_a), bearer(world.company_b)
    made = client.post("/api/v1/notices", headers=operator, json=NOTICE | {"starts_at": "2030-01-01T08:00:00+08:00"})
    assert made.status_code == 201 and len(made.json["recipients"]) == 2
    assert made.json["starts_at"] == "2030-01-01T08:00:00+08:00"  # the same instant, shown with its offset
    nid = made.json["id"]
    foreign = client.post(f"/api/v1/notices/{nid}/acknowledge", headers=company_b, json={"channel_id": jinan.id})
    assert foreign.status_code == 404
    ack = client.post(f"/api/v1/notices/{nid}/acknowledge", headers=company_a, json={"channel_id": jinan.id})
    assert ack.status_code == 200 and ack.json["acknowledged_at"]
    pending = client.get(f"/api/v1/notices/{nid}?unacknowledged=1", headers=operator).json["recipients"]
    assert [r["channel_id"] for r in pending] == [guangzhou.id]
    own = client.get(f"/api/v1/notices/{nid}", headers=company_b).json["recipients"]
    assert [r["channel_id"] for r in own] == [guangzhou.id]
    assert client.post("/api/v1/notices/reminders", headers=operator).json == {"reminders": 0}
    body = {"channel_id": jinan.id, "kind": "maintenance", "description": "升级"}
    past = client.post(
        "/api/v1/channel-notices", headers=company_a, json=body | {"starts_at": "2020-01-01T00:00:00+08:00"}
    )
    assert past.status_code == 422 and past.json["error"]["code"] == "C4.4"
    when = datetime(timeutil.today().year + 1, 3, 1, 9, 0)
    ok = client.post(
        "/api/v1/channel-notices", headers=company_a, json=body | {"starts_at": when.isoformat() + "+08:00"}
    )
    assert ok.status_code == 201
    month = client.get(f"/api/v1/channel-notices?month={when:%Y-%m}", headers=operator).json["items"]
    assert [n["id"] for n in month] == [ok.json["id"]]
    assert client.get(f"/api/v1/channel-notices?month={when:%Y-%m}", headers=company_b).json["items"] == []
    assert client.get("/api/v1/channel-notices?month=2026-13", headers=operator).status_code == 422
