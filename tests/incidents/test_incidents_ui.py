"""Incidents through the pages and the API (C5.2, C5.5): report with evidence, confirm with the services to suspend,
rectify, restore; other companies and cities get 404 (C1.4)."""

import io

import sqlalchemy as sa

from app.extensions import db
from app.modules.incidents.models import Incident
from tests.conftest import PDF, bearer, login
from tests.journeys import live_channel


def test_c5_5_the_incident_journey_through_the_pages(world, client):
    channel, _key = live_channel(world)
    login(client, "company_a")
    assert "报告安全风险事件" in client.get(f"/channels/{channel.id}").text
    data = {
        "channel_id": channel.id,
        "incident_type": "page_tampering",
        "discovered_at": "2026-11-20T10:00",
        "description": "首页被篡改",
        "impact": "部分用户",
    }
    assert client.post("/incidents", data=data).status_code == 302
    incident = db.session.scalar(sa.select(Incident))
    client.post(f"/incidents/{incident.id}/evidence", data={"file": (io.BytesIO(PDF), "截图.pdf")})
    assert "截图.pdf" in client.get(f"/incidents/{incident.id}").text
    client.post("/logout")
    login(client, "operator")
    page = client.get(f"/incidents/{incident.id}").text
    assert "认定并处置" in page and "qr_login" in page
    client.post(f"/incidents/{incident.id}/confirm", data={"incident_type": "page_tampering", "services": ["qr_login"]})
    db.session.expire_all()
    assert incident.status == "rectifying" and incident.suspensions[0].service_code == "qr_login"
    client.post("/logout")
    login(client, "company_a")
    client.post(f"/incidents/{incident.id}/rectifications", data={"body": "已修复"})
    client.post("/logout")
    login(client, "operator")
    rectification = incident.rectifications[0]
    client.post(
        f"/incidents/{incident.id}/rectifications/{rectification.id}/decision",
        data={"decision": "approve", "opinion": ""},
    )
    client.post(f"/incidents/{incident.id}/restore")
    db.session.expire_all()
    assert incident.status == "restored"
    client.post("/logout")
    login(client, "company_b")
    assert client.get(f"/incidents/{incident.id}").status_code == 404


def test_c5_5_the_incident_journey_through_the_api(world, client):
    channel, _key = live_channel(world)
    company, operator = bearer(world.company_a), bearer(world.operator)
    body = {
        "channel_id": channel.id,
        "incident_type": "general_leak",
        "discovered_at": "2026-11-20T10:00:00+08:00",
        "description": "泄露",
    }
    assert client.post("/api/v1/incidents", headers=company, json=body | {"incident_type": "nope"}).status_code == 422
    made = client.post("/api/v1/incidents", headers=company, json=body)
    assert made.status_code == 201 and made.json["level"] == 2
    iid = made.json["id"]
    evidence = client.post(
        f"/api/v1/incidents/{iid}/evidence",
        headers=company | {"X-Filename": "a.pdf", "Content-Type": "application/pdf"},
        data=PDF,
    )
    assert evidence.status_code == 201
    early = client.post(f"/api/v1/incidents/{iid}/restore", headers=operator)
    assert early.status_code == 409
    confirmed = client.post(f"/api/v1/incidents/{iid}/confirm", headers=operator, json={})
    assert confirmed.json["status"] == "rectifying"
    rect = client.post(f"/api/v1/incidents/{iid}/rectifications", headers=company, json={"body": "整改"})
    assert rect.status_code == 201
    decided = client.post(
        f"/api/v1/incidents/{iid}/rectifications/{rect.json['id']}/decision", headers=operator, json={"accept": True}
    )
    assert decided.json["status"] == "accepted"
    assert client.post(f"/api/v1/incidents/{iid}/restore", headers=operator).json["status"] == "restored"
    for outsider in (world.company_b, world.jinan):
        assert client.get(f"/api/v1/incidents/{iid}", headers=bearer(outsider)).status_code in (403, 404)
    assert client.get(f"/api/v1/incidents/{iid}", headers=bearer(world.national)).status_code == 200
