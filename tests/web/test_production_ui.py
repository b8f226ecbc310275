"""Production intake and the agreement through the web pages (C2.8, C2.9, C4.12, C7.3): the owner files Form 3 with
report and recordings, the chain reviews it, the operator verifies step by step, the owner signs the agreement, the
operator countersigns and issues the production key — the channel is live."""

import io
import re

import sqlalchemy as sa

from app.core.enums import ApplicationStatus, ChannelStatus
from app.extensions import db
from app.modules.agreements.models import Agreement
from app.modules.applications.models import Application
from app.modules.production.models import CHECKLIST
from tests.conftest import PDF, login
from tests.journeys import AGREEMENT_TEXT, MOV, MP4, channel_in_testing, passing_report
from tests.web.test_journey_ui import decide_pending


def production_app():
    return db.session.scalar(sa.select(Application).where(Application.kind == "production"))


def file_through_pages(world, client):
    channel = channel_in_testing(world)
    report = passing_report(world, channel)
    login(client, "company_a")
    page = client.get(f"/channels/{channel.id}")
    assert "申请正式入网" in page.text
    form = client.get(f"/channels/{channel.id}/production/new")
    assert form.status_code == 200 and report.institution.name in form.text
    created = client.post(
        f"/channels/{channel.id}/production/new",
        data={"contact_name": "张三", "contact_phone": "13912345678", "security_report_id": str(report.id)},
    )
    assert created.status_code == 302, created.text
    app = production_app()
    detail = client.get(f"/applications/{app.id}").text
    assert "请上传 iOS 录屏" in detail and report.filename in detail
    for platform, body, name in (("ios", MOV, "ios.mov"), ("android", MP4, "android.mp4")):
        upload = client.post(
            f"/applications/{app.id}/recordings/{platform}",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(body), name)},
        )
        assert upload.status_code == 302
    assert client.post(f"/applications/{app.id}/submit").status_code == 302
    db.session.expire_all()
    assert app.status == ApplicationStatus.in_review and channel.status == ChannelStatus.production_review
    client.post("/logout")
    return channel, app


def test_c2_8_production_intake_journey_through_the_pages(world, client):
    channel, app = file_through_pages(world, client)
    for reviewer in ("jinan", "shandong", "national"):
        decide_pending(client, reviewer)
    login(client, "operator")
    assert f"/applications/{app.id}/verify" in client.get("/").text
    page = client.get(f"/applications/{app.id}/verify")
    assert page.status_code == 200 and "解除关联" in page.text
    ticks = {f"ios-{step}": "1" for step in CHECKLIST} | {"android-enter": "1"}
    saved = client.post(f"/applications/{app.id}/verify", data=ticks | {"action": "save"})
    assert saved.status_code == 302
    early = client.post(
        f"/applications/{app.id}/verify",
        data=ticks | {"action": "decide", "decision": "approve", "contact": "运营", "phone": "13800000000"},
    )
    assert early.status_code == 200 and "Android 录屏未核验" in early.text
    ticks |= {f"android-{step}": "1" for step in CHECKLIST}
    decided = client.post(
        f"/applications/{app.id}/verify",
        data=ticks
        | {"report_reviewed": "y", "action": "decide", "decision": "approve", "opinion": "通过"}
        | {"contact": "运营", "phone": "13800000000"},
    )
    assert decided.status_code == 302, decided.text
    db.session.expire_all()
    assert app.status == ApplicationStatus.approved
    assert "合作协议尚未" in client.get(f"/applications/{app.id}").text
    published = client.post(
        "/agreements/versions", data={"version": "2026.1", "effective_from": "2026-01-01", "body": AGREEMENT_TEXT}
    )
    assert published.status_code == 302
    client.post("/logout")

    login(client, "company_a")
    version_id = re.search(r"/agreements/(\d+)/sign", client.get(f"/channels/{channel.id}").text).group(1)
    sign_page = client.get(f"/channels/{channel.id}/agreements/{version_id}/sign")
    assert AGREEMENT_TEXT.splitlines()[1] in sign_page.text
    digest = re.search(r'name="text_sha256" type="hidden" value="([0-9a-f]{64})"', sign_page.text).group(1)
    unconfirmed = client.post(f"/channels/{channel.id}/agreements/{version_id}/sign", data={"text_sha256": digest})
    assert unconfirmed.status_code == 200 and "请确认已阅读" in unconfirmed.text
    signed = client.post(
        f"/channels/{channel.id}/agreements/{version_id}/sign", data={"text_sha256": digest, "confirm": "y"}
    )
    assert signed.status_code == 302
    client.post("/logout")

    login(client, "operator")
    agreement = db.session.scalar(sa.select(Agreement))
    assert channel.name in client.get("/agreements").text
    assert client.post(f"/agreements/{agreement.id}/countersign").status_code == 302
    assert client.get(f"/applications/{app.id}/go-live").status_code == 200
    issued = client.post(f"/applications/{app.id}/go-live")
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<div class="secret">([^<]+)</div>', issued.text).group(1)
    db.session.expire_all()
    assert channel.status == ChannelStatus.live and app.status == ApplicationStatus.completed
    assert secret not in client.get(f"/channels/{channel.id}").text


def test_c2_9_a_pdf_posing_as_a_recording_is_refused_on_the_page(world, client):
    channel = channel_in_testing(world)
    report = passing_report(world, channel)
    login(client, "company_a")
    client.post(f"/channels/{channel.id}/production/new", data={"security_report_id": str(report.id)})
    app = production_app()
    response = client.post(
        f"/applications/{app.id}/recordings/ios",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(PDF), "ios.mp4")},
        follow_redirects=True,
    )
    assert "文件内容与其类型不符" in response.text


def test_c4_12_the_operator_sees_who_has_not_signed(world, client):
    from tests.journeys import live_channel

    channel, _issued = live_channel(world)
    login(client, "operator")
    client.post(
        "/agreements/versions",
        data={"version": "2027.1", "effective_from": "2027-06-01", "body": AGREEMENT_TEXT + "二"},
    )
    version = client.get("/agreements").text
    version_id = re.search(r'/agreements/versions/(\d+)">2027.1', version).group(1)
    page = client.get(f"/agreements/versions/{version_id}")
    assert channel.name in page.text and "未签署" in page.text


def test_reviewers_see_the_report_and_recordings_of_a_production_application(world, client):
    file_through_pages(world, client)
    login(client, "jinan")
    page = client.get("/reviews")
    step_id = re.search(r"/reviews/(\d+)", page.text).group(1)
    decide = client.get(f"/reviews/{step_id}").text
    assert "ios.mov" in decide and "android.mp4" in decide and "授予地域</h2>" not in decide


def test_c2_9_a_recording_larger_than_ordinary_requests_is_accepted(world, client, app):
    """Recordings are bigger than ordinary requests (MAX_CONTENT_LENGTH): their endpoints allow MAX_RECORDING_BYTES."""
    channel = channel_in_testing(world)
    report = passing_report(world, channel)
    login(client, "company_a")
    client.post(f"/channels/{channel.id}/production/new", data={"security_report_id": str(report.id)})
    app_row = production_app()
    app.config["MAX_CONTENT_LENGTH"] = 4096
    try:
        response = client.post(
            f"/applications/{app_row.id}/recordings/ios",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(MP4 + b"\0" * 20_000), "ios.mp4")},
            follow_redirects=True,
        )
        assert "已上传" in response.text
        too_big_elsewhere = client.post(f"/applications/{app_row.id}/submit", data={"padding": "x" * 20_000})
        assert too_big_elsewhere.status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 12 * 1024 * 1024


def test_c5_3_the_operator_orders_a_retest_and_a_failure_suspends_the_live_channel(world, client):
    from app.modules.security_tests.models import SpotCheck
    from tests.journeys import live_channel

    channel, _issued = live_channel(world)
    login(client, "operator")
    page = client.get(f"/channels/{channel.id}/security-reports")
    assert "安排抽查" in page.text
    ordered = client.post(f"/channels/{channel.id}/spot-checks", data={"reason": "整改后复测", "is_retest": "y"})
    assert ordered.status_code == 302
    check = db.session.scalar(sa.select(SpotCheck))
    recorded = client.post(f"/spot-checks/{check.id}/result", data={"result": "fail", "notes": "仍有越权"})
    assert recorded.status_code == 302
    db.session.expire_all()
    assert channel.status == ChannelStatus.suspended
    assert "仍有越权" in client.get(f"/channels/{channel.id}/security-reports").text
