"""Production intake, the agreement and go-live through the JSON API (C2.7–C2.9, C4.12, C7.3), ending with a
request signed with the production key; bad input gets clear errors and changes nothing."""

import io
from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today
from app.extensions import db
from app.modules.gateway.signing import sign_request
from app.modules.production.models import CHECKLIST, Recording
from tests.api.test_journey_api import decide
from tests.conftest import PASSWORD, PDF, bearer, next_code, release_clock
from tests.journeys import AGREEMENT_TEXT, MOV, MP4, channel_in_testing, qualified_institution


def upload_report(client, headers, channel_id, institution_id):
    response = client.post(
        f"/api/v1/channels/{channel_id}/security-reports",
        headers=headers,
        data={
            "institution_id": str(institution_id),
            "test_date": (today() - timedelta(days=30)).isoformat(),
            "version_tested": "5.2.0",
            "covers_spec": "true",
            "result": "pass",
            "file": (io.BytesIO(PDF), "report.pdf"),
        },
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def put_recording(client, headers, app_id, platform, body, content_type="video/mp4", name="r.mp4"):
    return client.put(
        f"/api/v1/production-applications/{app_id}/recordings/{platform}?filename={name}",
        headers=headers | {"Content-Type": content_type},
        data=body,
    )


def go_live(client, operator, app_id):
    try:
        credentials = {"password": PASSWORD, "otp": next_code(operator)}
        return client.post(
            f"/api/v1/production-applications/{app_id}/go-live", headers=bearer(operator), json=credentials
        )
    finally:
        release_clock()


def filed(client, world):
    channel = channel_in_testing(world)
    company = bearer(world.company_a)
    report_id = upload_report(client, company, channel.id, qualified_institution(world).id)
    created = client.post(
        f"/api/v1/channels/{channel.id}/production-applications",
        headers=company,
        json={"contact_name": "张三", "contact_phone": "13912345678", "security_report_id": report_id},
    )
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    assert {p["field"] for p in created.json["submission_problems"]} == {"recordings.ios", "recordings.android"}
    assert put_recording(client, company, app_id, "ios", MOV, "video/quicktime", "ios.mov").status_code == 201
    assert put_recording(client, company, app_id, "android", MP4).status_code == 201
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=company)
    assert submitted.status_code == 200, submitted.json
    return channel, app_id


def test_c2_8_production_journey_through_the_api_to_a_signed_production_request(world, client):
    channel, app_id = filed(client, world)
    company, operator = bearer(world.company_a), bearer(world.operator)
    for reviewer in (world.jinan, world.shandong, world.national):
        decide(client, reviewer)
    base = f"/api/v1/production-applications/{app_id}"
    for platform in ("ios", "android"):
        ticked = client.put(
            f"{base}/recordings/{platform}/checklist", headers=operator, json={"steps": list(CHECKLIST)}
        )
        assert ticked.status_code == 200 and ticked.json["fully_checked"], ticked.json
    assert client.put(f"{base}/report-review", headers=operator, json={"reviewed": True}).status_code == 200
    verified = client.post(
        f"{base}/verification",
        headers=operator,
        json={"approve": True, "opinion": "核验通过", "contact": "运营", "phone": "13800000000"},
    )
    assert verified.status_code == 200 and verified.json["status"] == "approved", verified.json
    assert [p["field"] for p in verified.json["go_live_problems"]] == ["agreement"]
    early = go_live(client, world.operator, app_id)
    assert early.status_code == 409 and early.json["error"]["code"] == "not_ready"

    version = client.post(
        "/api/v1/agreement-versions",
        headers=operator,
        json={"version": "2026.1", "body": AGREEMENT_TEXT, "effective_from": "2026-01-01"},
    ).json
    text = client.get(f"/api/v1/agreement-versions/{version['id']}", headers=company).json
    signed = client.post(
        f"/api/v1/channels/{channel.id}/agreements",
        headers=company,
        json={"version_id": version["id"], "text_sha256": text["sha256"], "confirm": True},
    )
    assert signed.status_code == 201, signed.json
    pending = client.get("/api/v1/agreements/pending", headers=operator).json["items"]
    assert [a["id"] for a in pending] == [signed.json["id"]]
    countersigned = client.post(f"/api/v1/agreements/{signed.json['id']}/countersign", headers=operator)
    assert countersigned.status_code == 200 and countersigned.json["term_end"]

    issued = go_live(client, world.operator, app_id)
    assert issued.status_code == 201, issued.json
    assert issued.json["environment"] == "production" and issued.json["channel_status"] == "live"
    path = "/api/v1/channel/status"
    headers = sign_request(issued.json["key_id"], issued.json["secret"], "GET", path, b"")
    status = client.get(path, headers=headers)
    assert status.status_code == 200 and status.json["status"] == "live"
    again = client.get(f"{base}", headers=company).json
    assert again["status"] == "completed" and "secret" not in str(again)


def test_c2_9_recording_errors_are_clear_and_leave_nothing(world, client, app):
    channel = channel_in_testing(world)
    company = bearer(world.company_a)
    created = client.post(f"/api/v1/channels/{channel.id}/production-applications", headers=company, json={})
    app_id = created.json["id"]
    not_video = put_recording(client, company, app_id, "ios", PDF, "application/pdf", "r.pdf")
    assert not_video.status_code == 415 and not_video.json["error"]["code"] == "upload_type"
    disguised = put_recording(client, company, app_id, "ios", PDF)
    assert disguised.status_code == 422 and disguised.json["error"]["code"] == "upload_mismatch"
    app.config["MAX_RECORDING_BYTES"] = 2048
    try:
        too_large = put_recording(client, company, app_id, "ios", MP4 + b"\0" * 4096)
    finally:
        app.config["MAX_RECORDING_BYTES"] = 200 * 1024 * 1024
    assert too_large.status_code == 413
    unknown = put_recording(client, company, app_id, "symbian", MP4)
    assert unknown.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_c2_8_production_intake_from_a_channel_not_in_testing_is_409(world, client):
    channel, _app_id = filed(client, world)
    again = client.post(
        f"/api/v1/channels/{channel.id}/production-applications", headers=bearer(world.company_a), json={}
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "C2.8"


def test_another_company_cannot_see_or_touch_the_production_application(world, client):
    _channel, app_id = filed(client, world)
    other = bearer(world.company_b)
    assert client.get(f"/api/v1/production-applications/{app_id}", headers=other).status_code == 404
    assert put_recording(client, other, app_id, "ios", MP4).status_code == 404


def test_c4_12_signing_with_a_wrong_digest_is_409(world, client):
    channel = channel_in_testing(world)
    operator = bearer(world.operator)
    version = client.post(
        "/api/v1/agreement-versions",
        headers=operator,
        json={"version": "2026.1", "body": AGREEMENT_TEXT, "effective_from": "2026-01-01"},
    ).json
    response = client.post(
        f"/api/v1/channels/{channel.id}/agreements",
        headers=bearer(world.company_a),
        json={"version_id": version["id"], "text_sha256": "0" * 64, "confirm": True},
    )
    assert response.status_code == 409 and response.json["error"]["code"] == "text_mismatch"
