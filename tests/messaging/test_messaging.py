"""Messages (S1): every message comes from a reviewed template and shows its sending unit; templates declare their
placeholders; a new version is used only after another operator approves it; e-mail and SMS copies are delivered
later, retried on failure and visible, and a failing gateway never blocks the action that sent the message; every
message is kept and searchable."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.enums import Role
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.storage import storage
from app.core.timeutil import freeze, utcnow
from app.extensions import db
from app.modules.messaging import delivery
from app.modules.messaging import operations as messages
from app.modules.messaging.models import Delivery, Message, MessageTemplate
from tests.conftest import World, bearer, file_application, login

TEMPLATE = {
    "code": "application.submitted",
    "category": "business",
    "sender_unit": "电子社保卡服务渠道管理系统",
    "subject": "【已受理】申请 {number}",
    "body": "申请 {number} 已进入第 {round} 轮审核。",
    "placeholders": ["number", "round"],
}


@pytest.fixture
def second_operator(world):
    return World.user("operator2", Role.operator)


def test_s1_every_message_comes_from_an_approved_template_with_its_sending_unit(world):
    file_application(world.company_a)
    rows = db.session.scalars(sa.select(Message)).all()
    assert rows
    for message in rows:
        template = db.session.get(MessageTemplate, message.template_id)
        assert template.status == "approved" and message.sender_unit and message.category == template.category


def test_s1_a_template_with_unknown_placeholders_is_refused(world):
    with pytest.raises(RuleViolation) as exc:
        messages.propose_template(world.operator, TEMPLATE | {"body": "申请 {number} 由 {reviewer} 审核"})
    assert exc.value.code == "S1" and "reviewer" in exc.value.en
    with pytest.raises(RuleViolation):
        messages.propose_template(world.operator, TEMPLATE | {"category": "advert"})
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(MessageTemplate).where(MessageTemplate.version > 1))
        == 0
    )


def test_s1_a_template_names_its_code_plain_placeholders_and_only_operators_propose_and_review(world, second_operator):
    with pytest.raises(Forbidden):
        messages.propose_template(world.company_a, TEMPLATE)
    for code in ("", "  ", "x" * 65):
        with pytest.raises(RuleViolation) as exc:
            messages.propose_template(world.operator, TEMPLATE | {"code": code})
        assert exc.value.fields == {"code": ["required"]}
    for bad in ({"placeholders": ["number", "round", "not a name"]}, {"body": "申请 {} 已受理"}):
        with pytest.raises(RuleViolation) as exc:
            messages.propose_template(world.operator, TEMPLATE | bad)
        assert "placeholders" in exc.value.fields
    with pytest.raises(RuleViolation) as exc:
        messages.propose_template(world.operator, TEMPLATE | {"body": "申请 {number"})
    assert exc.value.code == "template_syntax"
    draft = messages.propose_template(world.operator, TEMPLATE)
    with pytest.raises(NotFound):
        messages.review_template(second_operator, 2**31 - 1, True)
    messages.review_template(second_operator, draft.id, False, "措辞不当")
    with pytest.raises(Conflict) as exc:
        messages.review_template(second_operator, draft.id, True)
    assert exc.value.code == "already_reviewed" and draft.status == "rejected"


def test_s1_a_message_without_an_approved_template_is_not_sent(world):
    with pytest.raises(messages.TemplateMissing):
        messages.send("no.such_template", {}, None, organisation_id=world.org_a.id)
    assert messages.send_many("no.such_template", []) == 0  # nothing to send: no template needed


def test_s1_the_record_is_searched_by_category_and_organisation(world):
    file_application(world.company_a)
    found = db.session.scalars(messages.search_messages("", "business", world.org_a.id)).all()
    assert found and all(m.organisation_id == world.org_a.id and m.category == "business" for m in found)
    assert db.session.scalars(messages.search_messages("", "publicity", world.org_a.id)).all() == []
    everything = db.session.scalars(messages.search_messages("", "no-such-category")).all()
    assert len(everything) >= len(found)


def test_s1_a_new_version_is_used_only_after_another_operator_approves_it(world, second_operator):
    draft = messages.propose_template(world.operator, TEMPLATE)
    assert draft.version == 2 and draft.status == "pending_review"
    first = file_application(world.company_a)
    assert db.session.scalar(sa.select(Message.subject).where(Message.object_id == str(first.id))) == (
        f"申请 {first.number} 已提交"
    )
    with pytest.raises(Forbidden):
        messages.review_template(world.operator, draft.id, True)
    with pytest.raises(RuleViolation):
        messages.review_template(second_operator, draft.id, False, "")
    messages.review_template(second_operator, draft.id, True, "措辞规范")
    second = file_application(world.company_a)
    subject = db.session.scalar(sa.select(Message.subject).where(Message.object_id == str(second.id)))
    assert subject == f"【已受理】申请 {second.number}"


def test_s1_copies_are_queued_for_every_recipient_with_an_address_and_delivered_to_the_outbox(world, app):
    file_application(world.company_a)
    queued = db.session.scalars(sa.select(Delivery)).all()
    assert {(d.channel, d.address) for d in queued} == {("email", world.company_a.email), ("sms", "13800000000")}
    counts = delivery.deliver_pending()
    assert counts == {"sent": 2, "retry": 0, "failed": 0}
    outbox = list(storage().names("outbox"))
    assert any(n.startswith("mail-") and n.endswith(".eml") for n in outbox)
    texts = [storage().get_bytes("outbox", n).decode() for n in outbox if n.startswith("sms-")]
    assert any("【电子社保卡服务渠道管理系统】" in text and "13800000000" in text for text in texts)


def test_s1_a_failing_gateway_never_blocks_the_action_and_is_retried_then_marked_failed(world, app, monkeypatch):
    def down(*_args, **_kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(delivery, "send_email", down)
    application = file_application(world.company_a)
    assert application.status == "in_review"
    assert delivery.deliver_pending() == {"sent": 1, "retry": 1, "failed": 0}
    email = db.session.scalar(sa.select(Delivery).where(Delivery.channel == "email"))
    assert email.status == "pending" and email.attempts == 1 and "smtp down" in email.last_error
    assert delivery.deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet: back-off
    for _ in range(app.config["DELIVERY_MAX_ATTEMPTS"]):
        freeze(utcnow() + timedelta(hours=3))
        delivery.deliver_pending()
    freeze(None)
    db.session.refresh(email)
    assert email.status == "failed" and email.attempts == app.config["DELIVERY_MAX_ATTEMPTS"]
    monkeypatch.undo()
    assert delivery.retry(email.id).status == "sent"


def test_s1_the_message_record_is_searchable_by_staff_and_not_by_companies(world, client):
    application = file_application(world.company_a)
    found = client.get("/api/v1/message-record?q=" + application.number, headers=bearer(world.auditor))
    assert found.status_code == 200 and found.json["items"][0]["subject"] == f"申请 {application.number} 已提交"
    assert client.get("/api/v1/message-record", headers=bearer(world.company_a)).status_code == 403
    login(client, "operator")
    page = client.get(f"/messages?q={application.number}")
    assert page.status_code == 200 and application.number in page.text


def test_templates_through_the_pages_and_api(world, client, second_operator):
    login(client, "operator")
    form = TEMPLATE | {"placeholders": "number, round"}
    assert client.post("/message-templates/new", data=form).status_code == 302
    draft = db.session.scalar(sa.select(MessageTemplate).where(MessageTemplate.version == 2))
    assert "待审核" in client.get("/message-templates").text
    review = client.post(
        f"/api/v1/message-templates/{draft.id}/review", headers=bearer(second_operator), json={"approve": True}
    )
    assert review.status_code == 200 and review.json["status"] == "approved"
    bad = client.post("/api/v1/message-templates", headers=bearer(world.operator), json=TEMPLATE | {"body": "{x}"})
    assert bad.status_code == 422 and bad.json["error"]["code"] == "S1"


def test_deliver_cli_prints_counts(world, app):
    file_application(world.company_a)
    result = app.test_cli_runner().invoke(args=["messages", "deliver"])
    assert result.exit_code == 0 and json.loads(result.output.strip().splitlines()[-1])["sent"] == 2


def test_s1_a_digest_names_its_first_hundred_channels_and_counts_the_rest():
    lines = [f"· 渠道{i}" for i in range(messages.DIGEST_LINES + 5)]
    body = messages.listing(lines, "安全检测页面").split("\n")
    assert body[: messages.DIGEST_LINES] == lines[: messages.DIGEST_LINES]
    assert body[messages.DIGEST_LINES :] == ["……另有 5 个渠道，请在安全检测页面查看"]
    assert messages.listing(lines[:2], "安全检测页面") == "· 渠道0\n· 渠道1"
