"""C4.6 work orders: the owner files a user's problem (never with a resident ID number), the operator assigns, answers,
flags and closes; S13 response times are measured and shown; S1 every step is messaged from a template."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import timeutil
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.validation import find_id_numbers
from app.extensions import db
from app.modules.applications import aggregate
from app.modules.messaging.models import Message
from app.modules.work_orders import operations as ops
from app.modules.work_orders.models import WorkOrder
from tests.conftest import World, bearer, file_application, login
from tests.journeys import channel_in_testing

# A made-up number with a valid GB 11643 check character (weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2).
ID_NUMBER = "11010519491231002X"


def test_c4_6_id_numbers_are_detected_with_their_check_character():
    assert find_id_numbers(f"用户身份证 {ID_NUMBER} 无法登录") == [ID_NUMBER]
    assert find_id_numbers("号码 110105 19491231 002X") == [ID_NUMBER]  # separators do not hide it
    assert find_id_numbers("号码 110105-1949-1231-002x") == ["11010519491231002x"]
    assert find_id_numbers("110105194912310021") == []  # wrong check character
    assert find_id_numbers("订单号 110105194913310026") == []  # month 13: not a birth date
    assert find_id_numbers("旧号码 110105491231002") == ["110105491231002"]  # 15-digit form
    assert find_id_numbers("手机 13800000000，渠道编号 C370100202600001") == []


def _filed(world, **kw):
    channel = channel_in_testing(world)
    return ops.file_work_order(world.company_a, channel.id, kw.get("subject", "用户无法领卡"), "领卡页面报错 E102")


def test_c4_6_a_work_order_with_an_id_number_is_refused_and_nothing_is_kept(world):
    channel = channel_in_testing(world)
    with pytest.raises(RuleViolation) as exc:
        ops.file_work_order(world.company_a, channel.id, "领卡失败", f"用户 {ID_NUMBER} 领卡失败")
    assert exc.value.code == "C4.6" and exc.value.fields == {"description": ["contains an ID number"]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkOrder)) == 0


def test_c4_6_filed_assigned_answered_replied_tagged_closed(world):
    second = World.user("operator2", "operator")
    work_order = _filed(world)
    assert work_order.number.startswith("W") and work_order.status == "open"
    told = db.session.scalars(sa.select(Message).where(Message.user_id == world.operator.id)).all()
    assert any(work_order.number in m.subject for m in told)  # S1: the operator is told, from a template
    ops.assign(world.operator, work_order.id, second.id)
    assert work_order.status == "assigned" and work_order.assignee_id == second.id
    ops.answer(second, work_order.id, "请清除缓存后重试")
    assert work_order.status == "answered" and work_order.first_answered_at is not None
    first = work_order.first_answered_at
    ops.reply(world.company_a, work_order.id, "仍然报错")
    assert work_order.status == "assigned"
    ops.answer(second, work_order.id, "已修复")
    assert work_order.first_answered_at == first  # S13: the first answer fixes the response time
    ops.set_tags(world.operator, work_order.id, ["public_opinion", "common_problem"])
    assert work_order.tags == ["common_problem", "public_opinion"]
    ops.close(world.operator, work_order.id, "问题已解决")
    assert work_order.status == "closed" and work_order.closed_at is not None
    assert [e.kind for e in work_order.entries] == ["filed", "assigned", "answer", "reply", "answer", "tags", "closed"]
    owner_mail = db.session.scalars(sa.select(Message).where(Message.organisation_id == world.org_a.id)).all()
    assert any("已答复" in m.subject for m in owner_mail) and any("已关闭" in m.subject for m in owner_mail)
    with pytest.raises(Conflict):
        ops.answer(world.operator, work_order.id, "再答复")


def test_c4_6_others_cannot_see_or_act_and_bad_input_is_refused(world):
    work_order = _filed(world)
    with pytest.raises(NotFound):
        ops.get_work_order(world.company_b, work_order.id)
    with pytest.raises(NotFound):
        ops.reply(world.company_b, work_order.id, "别人的工单")
    with pytest.raises(NotFound):
        ops.get_work_order(world.jinan, work_order.id)
    with pytest.raises(Forbidden):
        ops.answer(world.company_a, work_order.id, "自己答复")
    with pytest.raises(RuleViolation):
        ops.assign(world.operator, work_order.id, world.company_a.id)  # only to an operator
    with pytest.raises(RuleViolation):
        ops.answer(world.operator, work_order.id, f"请核对身份证 {ID_NUMBER}")
    with pytest.raises(RuleViolation):
        ops.set_tags(world.operator, work_order.id, ["urgent"])
    with pytest.raises(NotFound):
        ops.file_work_order(world.company_b, work_order.channel_id, "别人的渠道", "说明")
    assert work_order.status == "open" and [e.kind for e in work_order.entries] == ["filed"]


def test_c4_6_text_is_required_and_bounded_and_tags_unchanged_are_not_recorded(world):
    work_order = _filed(world)
    with pytest.raises(RuleViolation) as exc:
        ops.file_work_order(world.company_a, work_order.channel_id, "  ", "说明")
    assert exc.value.fields == {"subject": ["required"]}
    with pytest.raises(RuleViolation) as exc:
        ops.file_work_order(world.company_a, work_order.channel_id, "长" * 201, "说明")
    assert exc.value.fields == {"subject": ["too long"]}
    with pytest.raises(NotFound):  # the operator handles work orders; the channel files them
        ops.file_work_order(world.operator, work_order.channel_id, "运营代填", "说明")
    ops.reply(world.company_a, work_order.id, "补充：仅安卓端出现")  # not yet answered: stays with the operator
    assert work_order.status == "open"
    ops.set_tags(world.operator, work_order.id, [])  # nothing to change: no entry
    ops.answer(world.operator, work_order.id, "已记录")
    ops.assign(world.operator, work_order.id, world.operator.id)  # answered: re-assigning keeps the status
    assert work_order.status == "answered"
    assert [e.kind for e in work_order.entries] == ["filed", "reply", "answer", "assigned"]


def test_c4_6_a_channel_no_longer_connected_files_no_work_order(world):
    withdrawn = file_application(world.company_a)
    aggregate.withdraw(world.company_a, withdrawn)
    with pytest.raises(Conflict) as exc:
        ops.file_work_order(world.company_a, withdrawn.rows[0].channel.id, "领卡失败", "说明")
    assert exc.value.code == "C4.6"


def test_s13_response_times_are_measured(world, app):
    start = timeutil.utcnow()
    try:
        timeutil.freeze(start)
        fast, slow = _filed(world, subject="一"), _filed(world, subject="二")
        late = _filed(world, subject="三")
        timeutil.freeze(start + timedelta(hours=2))
        ops.answer(world.operator, fast.id, "答复")
        timeutil.freeze(start + timedelta(hours=30))
        ops.answer(world.operator, slow.id, "答复")
        ops.close(world.operator, fast.id, "完成")
        figures = ops.response_figures(world.operator)
    finally:
        timeutil.freeze(None)
    assert (figures.total, figures.open, figures.answered) == (3, 2, 2)
    assert figures.median_first_response_h == 16.0 and figures.within_target == 0.5
    assert figures.overdue == 1 and figures.median_to_close_h == 30.0
    assert ops.response_figures(world.company_b).total == 0
    assert late.first_answered_at is None


def test_c4_6_through_the_pages(world, client):
    channel = channel_in_testing(world)
    login(client, "company_a")
    page = client.get("/work-orders/new")
    assert channel.name in page.text
    refused = client.post(
        "/work-orders/new", data={"channel_id": channel.id, "subject": "领卡", "description": f"身份证{ID_NUMBER}"}
    )
    assert refused.status_code == 200 and "身份证号码" in refused.text
    done = client.post("/work-orders/new", data={"channel_id": channel.id, "subject": "领卡", "description": "报错"})
    assert done.status_code == 302
    work_order = db.session.scalar(sa.select(WorkOrder))
    client.post("/logout")
    login(client, "operator")
    assert work_order.number in client.get("/work-orders").text
    assert client.post(f"/work-orders/{work_order.id}/answer", data={"body": "已处理"}).status_code == 302
    client.post(f"/work-orders/{work_order.id}/tags", data={"tags": ["malicious_complaint"]})
    client.post(f"/work-orders/{work_order.id}/close", data={"note": "关闭"})
    db.session.expire_all()
    assert work_order.status == "closed" and work_order.tags == ["malicious_complaint"]
    detail = client.get(f"/work-orders/{work_order.id}").text
    assert "已处理" in detail and "恶意投诉" in detail
    assert work_order.number not in client.get("/work-orders?tag=common_problem").text
    client.post("/logout")
    login(client, "company_b")
    assert client.get(f"/work-orders/{work_order.id}").status_code == 404


def test_c4_6_through_the_api(world, client):
    channel = channel_in_testing(world)
    company, operator = bearer(world.company_a), bearer(world.operator)
    bad = client.post(
        "/api/v1/work-orders",
        headers=company,
        json={"channel_id": channel.id, "subject": "a", "description": ID_NUMBER},
    )
    assert bad.status_code == 422 and bad.json["error"]["code"] == "C4.6"
    made = client.post(
        "/api/v1/work-orders", headers=company, json={"channel_id": channel.id, "subject": "a", "description": "b"}
    )
    assert made.status_code == 201
    wid = made.json["id"]
    assert (
        client.post(
            f"/api/v1/work-orders/{wid}/assign", headers=operator, json={"assignee_id": world.operator.id}
        ).status_code
        == 200
    )
    assert client.post(f"/api/v1/work-orders/{wid}/answer", headers=operator, json={"body": "ok"}).status_code == 200
    assert client.put(f"/api/v1/work-orders/{wid}/tags", headers=operator, json={"tags": ["common_problem"]}).json[
        "tags"
    ] == ["common_problem"]
    assert (
        client.post(f"/api/v1/work-orders/{wid}/reply", headers=company, json={"body": "more"}).json["status"]
        == "assigned"
    )
    assert (
        client.post(f"/api/v1/work-orders/{wid}/close", headers=operator, json={"note": "done"}).json["status"]
        == "closed"
    )
    one = client.get(f"/api/v1/work-orders/{wid}", headers=company).json
    assert [e["kind"] for e in one["entries"]] == ["filed", "assigned", "answer", "tags", "reply", "closed"]
    assert client.get("/api/v1/work-orders?tag=common_problem", headers=operator).json["total"] == 1
    assert client.get("/api/v1/work-orders/figures", headers=operator).json["answered"] == 1
    assert client.get(f"/api/v1/work-orders/{wid}", headers=bearer(world.company_b)).status_code == 404
    assert client.get("/api/v1/work-orders", headers=bearer(world.company_b)).json["total"] == 0
