"""Exits through the pages and the API (C6.1–C6.6): apply, opinions, decision, notify, push notice and announcement;
a forced exit by the operator; outsiders get 404 (C1.4)."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today
from app.extensions import db
from app.modules.agreements.rules import add_months
from app.modules.exits.models import Exit
from tests.conftest import bearer, login
from tests.journeys import live_channel


def test_c6_a_voluntary_exit_through_the_pages(world, client):
    channel, _key = live_channel(world)
    login(client, "company_a")
    data = {"channel_id": channel.id, "requested_date": str(add_months(today(), 3)), "reason": "业务调整"}
    assert client.post("/exits", data=data).status_code == 302
    exit_ = db.session.scalar(sa.select(Exit))
    for username, path, form in (
        ("shandong", "opinion", {"decision": "approve", "opinion": "同意"}),
        ("national", "decision", {"decision": "approve", "opinion": "同意"}),
        ("operator", "notify", {}),
    ):
        client.post("/logout")
        login(client, username)
        client.post(f"/exits/{exit_.id}/{path}", data=form)
    db.session.expire_all()
    assert exit_.status == "transition"
    client.post("/logout")
    login(client, "company_a")
    client.post(f"/exits/{exit_.id}/push-notice")
    start = today()
    client.post(
        f"/exits/{exit_.id}/announcement",
        data={"url": "https://example.cn/n", "start": str(start), "end": str(start + timedelta(days=20))},
    )
    db.session.expire_all()
    assert exit_.push_notice_confirmed_at and exit_.announcement_url == "https://example.cn/n"
    assert "退出过渡期" in client.get(f"/exits/{exit_.id}").text
    client.post("/logout")
    login(client, "company_b")
    assert client.get(f"/exits/{exit_.id}").status_code == 404


def test_c6_4_a_forced_exit_and_the_voluntary_rules_through_the_api(world, client):
    channel, _key = live_channel(world)
    company, operator = bearer(world.company_a), bearer(world.operator)
    soon = client.post(
        "/api/v1/exits",
        headers=company,
        json={"channel_id": channel.id, "requested_date": str(today() + timedelta(days=10))},
    )
    assert soon.status_code == 422 and soon.json["error"]["code"] == "C6.1"
    forced = client.post(
        "/api/v1/exits/forced",
        headers=operator,
        json={"channel_id": channel.id, "cause": "reputation_damage", "evidence": "媒体报道"},
    )
    assert forced.status_code == 201 and forced.json["status"] == "transition"
    bad = client.post(
        "/api/v1/exits/forced", headers=operator, json={"channel_id": channel.id, "cause": "nope", "evidence": "x"}
    )
    assert bad.status_code == 422
    eid = forced.json["id"]
    assert client.get(f"/api/v1/exits/{eid}", headers=company).json["cause"] == "reputation_damage"
    assert client.get(f"/api/v1/exits/{eid}", headers=bearer(world.company_b)).status_code == 404
