"""The test-intake journey through the web pages (C2.6, C2.10, S8): company files a social-channel APP in Jinan,
it goes municipal → provincial → national → operator, and the channel ends in `testing` with a number and key."""

import io
import re

import sqlalchemy as sa

from app.core.enums import ApplicationStatus, ChannelStatus
from app.extensions import db
from app.modules.applications.models import Application
from app.modules.channels.models import Channel
from app.modules.key_issuance.models import ChannelKey
from app.modules.reviews.models import ReviewStep
from tests.conftest import PDF, login

FORM = {
    "category": "social",
    "level": "1",
    "same_subject": "1",
    "contact_name": "张三",
    "contact_phone": "13912345678",
    "contact_email": "zhang@example.cn",
    "operating_since": "2020-01-01",
    "serves_livelihood": "y",
    "existing_users": "2000000",
    "rows-0-name": "惠民生活APP",
    "rows-0-form": "app",
    "rows-0-access_mode": "sdk",
    "rows-0-regions": ["370100"],
    "rows-0-services": ["standard", "qr_login"],
    "social-user_groups": "城市居民",
    "social-registered_users": "3000000",
    "social-monthly_active_users": "800000",
    "social-introduction": "本地生活服务",
    "social-download_url": "https://example.cn/app",
    "social-covered_regions": "济南市",
    "social-scenario_fit": "社保查询",
    "social-entry_point": "首页",
    "social-expansion_plan": "接入医保",
    "social-committed_annual_issuance": "120000",
    "social-committed_mau": "50000",
}


def decide_pending(client, username):
    login(client, username)
    step = db.session.scalar(sa.select(ReviewStep).where(ReviewStep.status == "pending"))
    page = client.get(f"/reviews/{step.id}")
    assert page.status_code == 200
    response = client.post(
        f"/reviews/{step.id}",
        data={"decision": "approve", "opinion": "同意", "contact": username, "phone": "13800000000"},
    )
    assert response.status_code == 302, response.text
    client.post("/logout")


def test_c2_6_test_intake_journey_through_the_ui(world, client):
    login(client, "company_a")
    assert client.get("/applications/new").status_code == 200
    response = client.post("/applications/new", data=FORM)
    assert response.status_code == 302, response.text
    app = db.session.scalar(sa.select(Application))
    detail = client.get(f"/applications/{app.id}").text
    assert app.number in detail and "电子社保卡测试信息采集表" in detail
    upload = client.post(
        f"/applications/{app.id}/attachments",
        content_type="multipart/form-data",
        data={"kind": "test_info_sheet", "file": (io.BytesIO(PDF), "sheet.pdf")},
    )
    assert upload.status_code == 302
    assert client.post(f"/applications/{app.id}/submit").status_code == 302
    db.session.expire_all()
    assert app.status == ApplicationStatus.in_review
    client.post("/logout")
    for reviewer in ("jinan", "shandong", "national"):
        decide_pending(client, reviewer)
    db.session.expire_all()
    assert app.status == ApplicationStatus.approved
    login(client, "operator")
    home = client.get("/").text  # the operator's workbench names the application waiting for its number and key
    assert 'data-card="key_issuance.to_issue"' in home and app.number in home
    assert client.get(f"/applications/{app.id}/issue").status_code == 200
    issued = client.post(f"/applications/{app.id}/issue")
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    channel = db.session.scalar(sa.select(Channel))
    key = db.session.scalar(sa.select(ChannelKey))
    secret = re.search(r'<div class="secret">([^<]+)</div>', issued.text).group(1)
    assert channel.status == ChannelStatus.testing and channel.channel_number in issued.text
    assert secret.encode() not in key.secret_ciphertext
    assert secret not in client.get(f"/channels/{channel.id}").text
    client.post("/logout")
    login(client, "company_a")
    detail = client.get(f"/applications/{app.id}").text
    assert channel.channel_number in detail and "jinan 姓名" in detail
    assert "已办结" in client.get("/inbox").text or "已办结" in detail


def test_form_errors_are_shown_inline(world, client):
    login(client, "company_a")
    bad = dict(FORM, **{"rows-0-form": "mini_program", "rows-0-access_mode": "sdk"})
    response = client.post("/applications/new", data=bad)
    assert response.status_code == 200
    assert "H5" in response.text and 'class="field error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_add_row_button_adds_a_row(world, client):
    login(client, "company_a")
    response = client.post("/applications/new", data=dict(FORM, add_row="1"))
    assert 'name="rows-1-name"' in response.text


def test_rejection_reasons_reach_the_applicant_page(world, client):
    from tests.conftest import file_application

    app = file_application(world.company_a)
    login(client, "jinan")
    step = db.session.scalar(sa.select(ReviewStep).where(ReviewStep.status == "pending"))
    client.post(
        f"/reviews/{step.id}",
        data={"decision": "reject", "opinion": "缺少用户数证明", "contact": "王", "phone": "13800000000"},
    )
    client.post("/logout")
    login(client, "company_a")
    page = client.get(f"/applications/{app.id}").text
    assert "缺少用户数证明" in page and "已退回" in page
    assert "缺少用户数证明" in client.get("/inbox/" + str(_last_message_id())).text


def _last_message_id():
    from app.modules.messaging.models import Message

    return db.session.scalar(sa.select(sa.func.max(Message.id)))


def test_c2_10_returned_application_is_amended_and_resubmitted_in_the_ui(world, client):
    from app.modules.reviews.operations import decide_step
    from tests.conftest import file_application

    app = file_application(world.company_a)
    step = db.session.scalar(sa.select(ReviewStep).where(ReviewStep.status == "pending"))
    decide_step(world.jinan, step.id, False, "请补充覆盖地域说明", "王", "13800000000")
    login(client, "company_a")
    edit = client.get(f"/applications/{app.id}/edit")
    assert edit.status_code == 200 and "惠民生活APP" in edit.text and '<option selected value="370100">' in edit.text
    response = client.post(f"/applications/{app.id}/edit", data=dict(FORM, **{"social-covered_regions": "济南市全域"}))
    assert response.status_code == 302
    assert client.post(f"/applications/{app.id}/submit").status_code == 302
    db.session.expire_all()
    assert app.round == 2 and app.social.covered_regions == "济南市全域"
    assert "请补充覆盖地域说明" in client.get(f"/applications/{app.id}").text
