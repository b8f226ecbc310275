"""The test-intake journey through the JSON API (C2.6), and the API's error format for bad input."""

import io
import json

import sqlalchemy as sa

from app.extensions import db
from app.modules.applications.models import Application
from app.modules.key_issuance.models import ChannelKey
from tests.conftest import PASSWORD, PDF, bearer, next_code, release_clock

BODY = {
    "category": "social",
    "contact_name": "张三",
    "contact_phone": "13912345678",
    "contact_email": "z@example.cn",
    "operating_since": "2020-01-01",
    "serves_livelihood": True,
    "existing_users": 2_000_000,
    "rows": [
        {"name": "惠民生活APP", "form": "app", "access_mode": "sdk", "regions": ["370100"], "services": ["standard"]}
    ],
    "social": {
        "user_groups": "居民",
        "registered_users": 3_000_000,
        "monthly_active_users": 800_000,
        "introduction": "生活服务",
        "covered_regions": "济南",
        "scenario_fit": "社保",
        "entry_point": "首页",
        "expansion_plan": "医保",
        "committed_annual_issuance": 100_000,
        "committed_mau": 50_000,
    },
}


def decide(client, user, approve=True, opinion="同意"):
    queue = client.get("/api/v1/reviews/queue", headers=bearer(user)).json["items"]
    assert len(queue) == 1, queue
    response = client.post(
        f"/api/v1/reviews/steps/{queue[0]['id']}/decision",
        headers=bearer(user),
        json={"approve": approve, "opinion": opinion, "contact": "王", "phone": "13800000000"},
    )
    assert response.status_code == 200, response.json
    return response.json


def test_c2_6_test_intake_journey_through_the_api(world, client):
    token = client.post("/api/v1/auth/token", json={"username": "company_a", "password": PASSWORD})
    assert token.status_code == 201
    company = {"Authorization": f"Bearer {token.json['token']}"}
    created = client.post("/api/v1/applications", headers=company, json=BODY)
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    upload = client.post(
        f"/api/v1/applications/{app_id}/attachments",
        headers=company,
        data={"kind": "test_info_sheet", "file": (io.BytesIO(PDF), "sheet.pdf")},
    )
    assert upload.status_code == 201, upload.json
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=company)
    assert submitted.json["status"] == "in_review"
    assert submitted.json["progress"]["current_steps"][0]["stage"] == "municipal"
    for reviewer in (world.jinan, world.shandong, world.national):
        decide(client, reviewer)
    try:
        credentials = {"password": PASSWORD, "otp": next_code(world.operator)}
        completed = client.post(
            f"/api/v1/applications/{app_id}/complete", headers=bearer(world.operator), json=credentials
        )
    finally:
        release_clock()
    assert completed.status_code == 201, completed.json
    item = completed.json["items"][0]
    assert item["channel_status"] == "testing" and item["channel_number"] and len(item["secret"]) == 43
    key = db.session.scalar(sa.select(ChannelKey))
    assert item["secret"].encode() not in key.secret_ciphertext
    detail = client.get(f"/api/v1/applications/{app_id}", headers=company).json
    assert detail["status"] == "completed" and detail["rows"][0]["channel_number"] == item["channel_number"]
    channel = client.get(f"/api/v1/channels/{item['channel_id']}", headers=company).json
    assert item["secret"] not in json.dumps(channel) and channel["keys"][0]["key_id"] == item["key_id"]
    messages = client.get("/api/v1/messages", headers=company).json["items"]
    assert len(messages) >= 4


def test_malformed_json_gets_a_clear_400(world, client):
    response = client.post(
        "/api/v1/applications", headers=bearer(world.company_a) | {"Content-Type": "application/json"}, data="{not json"
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json" and response.json["error"]["message"]


def test_unknown_and_missing_fields_are_refused(world, client):
    body = dict(BODY, status="completed")
    del body["contact_name"]
    response = client.post("/api/v1/applications", headers=bearer(world.company_a), json=body)
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert "status" in fields and "contact_name" in fields
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_unknown_region_code_is_422(world, client):
    body = dict(BODY, rows=[dict(BODY["rows"][0], regions=["370199"])])
    response = client.post("/api/v1/applications", headers=bearer(world.company_a), json=body)
    assert response.status_code == 422 and response.json["error"]["code"] == "unknown_region"


def test_c2_5_sdk_for_mini_program_is_422(world, client):
    body = dict(BODY, rows=[dict(BODY["rows"][0], form="mini_program", access_mode="sdk")])
    response = client.post("/api/v1/applications", headers=bearer(world.company_a), json=body)
    assert response.status_code == 422 and response.json["error"]["code"] == "C2.5"


def test_c2_2_social_under_a_million_users_is_422_on_submit(world, client):
    headers = bearer(world.company_a)
    app_id = client.post("/api/v1/applications", headers=headers, json=dict(BODY, existing_users=5)).json["id"]
    client.post(
        f"/api/v1/applications/{app_id}/attachments",
        headers=headers,
        data={"kind": "test_info_sheet", "file": (io.BytesIO(PDF), "s.pdf")},
    )
    response = client.post(f"/api/v1/applications/{app_id}/submit", headers=headers)
    assert response.status_code == 422 and response.json["error"]["code"] == "C2.2"
    assert "existing_users" in response.json["error"]["fields"]


def test_english_messages_on_request(world, client):
    body = dict(BODY, rows=[dict(BODY["rows"][0], form="mini_program", access_mode="sdk")])
    response = client.post(
        "/api/v1/applications", json=body, headers=bearer(world.company_a) | {"Accept-Language": "en"}
    )
    assert "H5" in response.json["error"]["message"] and "only" in response.json["error"]["message"]


def test_double_submit_is_409(world, client):
    headers = bearer(world.company_a)
    app_id = client.post("/api/v1/applications", headers=headers, json=BODY).json["id"]
    client.post(
        f"/api/v1/applications/{app_id}/attachments",
        headers=headers,
        data={"kind": "test_info_sheet", "file": (io.BytesIO(PDF), "s.pdf")},
    )
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=headers).status_code == 200
    second = client.post(f"/api/v1/applications/{app_id}/submit", headers=headers)
    assert second.status_code == 409 and second.json["error"]["code"] == "already_submitted"


def test_wrong_reviewer_and_out_of_turn(world, client):
    from tests.conftest import file_application

    file_application(world.company_a)
    steps = client.get("/api/v1/applications", headers=bearer(world.national)).json["items"]
    app = client.get(f"/api/v1/applications/{steps[0]['id']}", headers=bearer(world.national)).json
    municipal = next(s for s in app["progress"]["steps"] if s["stage"] == "municipal")
    provincial = next(s for s in app["progress"]["steps"] if s["stage"] == "provincial")
    body = {"approve": True, "opinion": "", "contact": "王", "phone": "13800000000"}
    wrong_city = client.post(
        f"/api/v1/reviews/steps/{municipal['id']}/decision", headers=bearer(world.qingdao), json=body
    )
    assert wrong_city.status_code == 404
    early = client.post(f"/api/v1/reviews/steps/{provincial['id']}/decision", headers=bearer(world.shandong), json=body)
    assert early.status_code == 409 and early.json["error"]["code"] == "out_of_turn"


def test_session_cookie_is_not_accepted_by_the_api(world, client):
    from tests.conftest import login

    login(client, "company_a")
    assert client.get("/api/v1/me").status_code == 401


def test_bad_token_is_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer essc_nope"})
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthenticated"
