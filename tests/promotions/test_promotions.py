"""C4.5 promotions: reported to the operator before they start; HR&SS wording needs HR&SS review (provincial center
of the channel's province or the national center) before the promotion may start; results reported afterwards."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import timeutil
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.modules.messaging.models import Message
from app.modules.promotions import operations as ops
from tests.conftest import bearer, login
from tests.journeys import channel_in_testing, live_channel


def _data(**kw):
    start = timeutil.today() + timedelta(days=7)
    return {
        "title": "电子社保卡申领有礼",
        "description": "线上申领送积分",
        "starts_on": start,
        "ends_on": start + timedelta(days=30),
    } | kw


def _inbox(user_id):
    return db.session.scalars(sa.select(Message).where(Message.user_id == user_id)).all()


def test_c4_5_a_promotion_without_hrss_wording_is_filed_and_may_start(world):
    channel, _issued = live_channel(world)
    promotion = ops.file_promotion(world.company_a, channel.id, _data())
    assert promotion.status == "filed" and ops.may_start(promotion)
    assert any("推广活动报备" in m.subject for m in _inbox(world.operator.id))
    assert not any("待审核" in m.subject for m in _inbox(world.national.id))
    with pytest.raises(NotFound):
        ops.review_promotion(world.national, promotion.id, True, "")  # nothing for HR&SS to see or review


def test_c4_5_hrss_wording_needs_hrss_review_before_it_may_start(world):
    channel, _issued = live_channel(world)
    promotion = ops.file_promotion(world.company_a, channel.id, _data(uses_hrss_wording=True, wording="人社部门推荐"))
    assert promotion.status == "hrss_review" and not ops.may_start(promotion)
    assert any("待审核" in m.subject for m in _inbox(world.shandong.id))
    assert not any("待审核" in m.subject for m in _inbox(world.guangdong.id))
    with pytest.raises(NotFound):
        ops.review_promotion(world.guangdong, promotion.id, True, "")  # not its province
    with pytest.raises(RuleViolation):
        ops.review_promotion(world.shandong, promotion.id, False, "")  # a rejection gives reasons
    ops.review_promotion(world.shandong, promotion.id, True, "同意使用")
    assert promotion.status == "approved" and ops.may_start(promotion)
    assert promotion.review_unit.startswith("山东")
    owner = db.session.scalars(sa.select(Message).where(Message.organisation_id == world.org_a.id)).all()
    assert any("审核结果：同意" in m.subject for m in owner)
    with pytest.raises(Conflict):
        ops.review_promotion(world.national, promotion.id, False, "晚了")


def test_c4_5_refusals_leave_nothing(world):
    channel, _issued = live_channel(world)
    with pytest.raises(RuleViolation) as exc:
        ops.file_promotion(world.company_a, channel.id, _data(starts_on=timeutil.today() - timedelta(days=1)))
    assert exc.value.code == "C4.5"
    with pytest.raises(RuleViolation):
        ops.file_promotion(world.company_a, channel.id, _data(uses_hrss_wording=True))  # which wording?
    with pytest.raises(NotFound):
        ops.file_promotion(world.company_b, channel.id, _data())
    with pytest.raises(Conflict):
        ops.file_promotion(world.company_a, channel_in_testing(world).id, _data())  # not live
    assert db.session.scalars(ops.visible_promotions(world.operator)).all() == []
    assert Forbidden


def test_c4_5_results_are_reported_once_started(world):
    channel, _issued = live_channel(world)
    promotion = ops.file_promotion(world.company_a, channel.id, _data())
    report = {"result_form": "线上", "result_summary": "新增申领 500 人", "participants": 800}
    with pytest.raises(Conflict):
        ops.report_results(world.company_a, promotion.id, report)  # not started yet
    try:
        timeutil.freeze(timeutil.utcnow() + timedelta(days=8))
        ops.report_results(world.company_a, promotion.id, report)
    finally:
        timeutil.freeze(None)
    assert promotion.status == "reported" and promotion.participants == 800
    rejected = ops.file_promotion(world.company_a, channel.id, _data(uses_hrss_wording=True, wording="人社"))
    ops.review_promotion(world.national, rejected.id, False, "不得使用")
    with pytest.raises(Conflict):
        ops.report_results(world.company_a, rejected.id, report)


def test_c4_5_through_the_pages_and_the_api(world, client):
    channel, _issued = live_channel(world)
    login(client, "company_a")
    data = _data(uses_hrss_wording="y", wording="人社部门推荐")
    data = {k: str(v) for k, v in data.items()} | {"channel_id": channel.id}
    assert client.post("/promotions", data=data).status_code == 302
    promotion = db.session.scalars(ops.visible_promotions(world.operator)).one()
    assert "不得开展" in client.get(f"/promotions/{promotion.id}").text
    client.post("/logout")
    login(client, "shandong")
    page = client.get(f"/promotions/{promotion.id}").text
    assert "人社部门审核" in page
    client.post(f"/promotions/{promotion.id}/review", data={"decision": "approve", "opinion": "同意"})
    db.session.expire_all()
    assert promotion.status == "approved"
    client.post("/logout")
    login(client, "guangdong")
    assert client.get(f"/promotions/{promotion.id}").status_code == 404
    api = bearer(world.company_a)
    body = {k: str(v) for k, v in _data().items()} | {"channel_id": channel.id}
    made = client.post("/api/v1/promotions", headers=api, json=body)
    assert made.status_code == 201 and made.json["may_start"] is True
    flagged = client.post("/api/v1/promotions", headers=api, json=body | {"uses_hrss_wording": True, "wording": "人社"})
    pid = flagged.json["id"]
    assert flagged.json["may_start"] is False
    decided = client.post(
        f"/api/v1/promotions/{pid}/review", headers=bearer(world.national), json={"approve": False, "opinion": "不同意"}
    )
    assert decided.json["status"] == "rejected"
    assert client.get(f"/api/v1/promotions/{pid}", headers=bearer(world.company_b)).status_code == 404
    early = client.post(
        f"/api/v1/promotions/{made.json['id']}/report", headers=api, json={"result_form": "a", "result_summary": "b"}
    )
    assert early.status_code == 409
    assert client.get("/api/v1/promotions", headers=bearer(world.operator)).json["total"] == 3
