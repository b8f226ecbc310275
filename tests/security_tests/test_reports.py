"""Security testing: qualified institutions (C5.4) and reports (C5.3)."""

import io
from datetime import date, timedelta

import pytest

from app.core.errors import Forbidden, RuleViolation
from app.core.timeutil import today
from app.modules.security_tests import operations as ops
from app.modules.security_tests.rules import is_current, missing_qualifications, reusable_for
from tests.conftest import PDF, bearer, stored_files


def report_data(institution, **overrides):
    return {
        "institution_id": institution.id,
        "test_date": today() - timedelta(days=30),
        "version_tested": "5.2.0",
        "covers_spec": True,
        "result": "pass",
        "findings": "无高危问题",
    } | overrides


def test_c5_4_an_institution_needs_all_four_valid_qualifications(world, institution):
    assert missing_qualifications(institution.qualifications, today()) == []
    ops.set_qualification(world.operator, institution, "cma", "CMA-001", date(2024, 1, 1), today() - timedelta(days=1))
    assert missing_qualifications(institution.qualifications, today()) == ["cma"]


def test_c5_4_a_report_from_an_unqualified_institution_is_refused(world, channel):
    partial = ops.create_institution(world.operator, "某检测公司")
    ops.set_qualification(world.operator, partial, "cnas", "CNAS-9", date(2024, 1, 1), date(2028, 1, 1))
    with pytest.raises(RuleViolation) as exc:
        ops.submit_report(world.company_a, channel, report_data(partial), io.BytesIO(PDF), "r.pdf")
    assert exc.value.code == "C5.4" and set(exc.value.fields["institution_id"]) == {
        "cma",
        "infosec_risk",
        "crypto_assessment",
    }


def test_c5_4_a_qualification_expired_on_the_test_date_is_refused(world, channel, institution):
    ops.set_qualification(world.operator, institution, "cnas", "CNAS-1", date(2024, 1, 1), today() - timedelta(days=60))
    with pytest.raises(RuleViolation) as exc:
        ops.submit_report(world.company_a, channel, report_data(institution), io.BytesIO(PDF), "r.pdf")
    assert exc.value.fields["institution_id"] == ["cnas"]


def test_c5_3_a_report_older_than_a_year_is_refused(world, channel, institution):
    old = report_data(institution, test_date=today() - timedelta(days=400))
    with pytest.raises(RuleViolation) as exc:
        ops.submit_report(world.company_a, channel, old, io.BytesIO(PDF), "r.pdf")
    assert exc.value.code == "C5.3"


def test_c5_3_only_a_pdf_is_accepted_and_nothing_is_left_behind(app, world, channel, institution):
    before = stored_files()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    with pytest.raises(RuleViolation):
        ops.submit_report(world.company_a, channel, report_data(institution), io.BytesIO(png), "r.png")
    assert stored_files() == before


def test_c5_3_current_report_and_major_change(world, channel, institution):
    report = ops.submit_report(world.company_a, channel, report_data(institution), io.BytesIO(PDF), "r.pdf")
    assert ops.current_report(channel) == report
    assert reusable_for(report, today()) == (report.test_date.year == today().year)
    ops.declare_major_change(world.company_a, channel, "upgrade", "新版本重构了认证模块")
    assert ops.current_report(channel) is None


def test_c5_3_validity_is_one_year_and_needs_a_pass_covering_the_spec(world, channel, institution):
    report = ops.submit_report(world.company_a, channel, report_data(institution), io.BytesIO(PDF), "r.pdf")
    assert is_current(report, report.test_date + timedelta(days=364))
    assert not is_current(report, report.test_date + timedelta(days=366))
    failed = ops.submit_report(
        world.company_a, channel, report_data(institution, result="fail"), io.BytesIO(PDF), "f.pdf"
    )
    assert not is_current(failed, today())


def test_c5_3_only_the_owner_files_reports(world, channel, institution):
    with pytest.raises(Forbidden):
        ops.submit_report(world.company_b, channel, report_data(institution), io.BytesIO(PDF), "r.pdf")


def test_c5_3_reports_through_the_api(world, client, channel, institution):
    form = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in report_data(institution).items()}
    response = client.post(
        f"/api/v1/channels/{channel.id}/security-reports",
        headers=bearer(world.company_a),
        data=form | {"file": (io.BytesIO(PDF), "report.pdf")},
    )
    assert response.status_code == 201, response.json
    assert response.json["current"] is True and response.json["institution_name"] == institution.name
    listing = client.get(f"/api/v1/channels/{channel.id}/security-reports", headers=bearer(world.operator))
    assert [r["id"] for r in listing.json["items"]] == [response.json["id"]]
    download = client.get(
        f"/api/v1/channels/{channel.id}/security-reports/{response.json['id']}/file", headers=bearer(world.operator)
    )
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    download.close()
    foreign = client.get(f"/api/v1/channels/{channel.id}/security-reports", headers=bearer(world.company_b))
    assert foreign.status_code == 404


def test_c5_4_the_register_through_the_api(world, client):
    created = client.post("/api/v1/institutions", headers=bearer(world.operator), json={"name": "测评中心"})
    assert created.status_code == 201 and len(created.json["missing_today"]) == 4
    inst_id = created.json["id"]
    body = {"certificate_number": "CNAS-7", "valid_from": "2025-01-01", "valid_until": "2029-01-01"}
    updated = client.put(
        f"/api/v1/institutions/{inst_id}/qualifications/cnas", headers=bearer(world.operator), json=body
    )
    assert updated.status_code == 200 and "cnas" not in updated.json["missing_today"]
    assert client.post("/api/v1/institutions", headers=bearer(world.company_a), json={"name": "x"}).status_code == 403


def test_c5_3_reports_page_and_upload_through_the_ui(world, client, channel, institution):
    from tests.conftest import login

    login(client, "company_a")
    page = client.get(f"/channels/{channel.id}/security-reports")
    assert page.status_code == 200 and institution.name in page.text
    form = {
        "institution_id": str(institution.id),
        "test_date": (today() - timedelta(days=10)).isoformat(),
        "version_tested": "5.3",
        "covers_spec": "y",
        "result": "pass",
        "findings": "",
    }
    response = client.post(
        f"/channels/{channel.id}/security-reports/new",
        content_type="multipart/form-data",
        data=form | {"file": (io.BytesIO(PDF), "report.pdf")},
    )
    assert response.status_code == 302
    assert ops.current_report(channel) is not None
    client.post(f"/channels/{channel.id}/major-change", data={"kind": "upgrade", "description": "认证模块重写"})
    assert ops.current_report(channel) is None


def test_c5_4_operator_keeps_the_register_in_the_ui(world, client):
    from tests.conftest import login

    login(client, "operator")
    client.post("/institutions/new", data={"name": "测评中心甲"})
    page = client.get("/institutions")
    assert "测评中心甲" in page.text and "资质不全或已过期" in page.text


@pytest.fixture
def live_channel(channel):
    """Production intake arrives later in issue 4; the channel is put live directly to test C5.3's suspension."""
    from app.core.enums import ChannelStatus
    from app.extensions import db

    channel.status = ChannelStatus.live
    db.session.commit()
    return channel


def test_c5_3_a_failed_retest_suspends_until_a_passing_report_is_accepted(world, live_channel, institution):
    from app.core.enums import ChannelStatus

    first = ops.order_spot_check(world.operator, live_channel, "例行抽查")
    ops.record_spot_check(world.operator, first, "fail", "发现越权")
    assert live_channel.status == ChannelStatus.live  # a first failure asks for rectification, not suspension
    retest = ops.order_spot_check(world.operator, live_channel, "整改后复测", is_retest=True)
    ops.record_spot_check(world.operator, retest, "fail", "仍未整改")
    assert live_channel.status == ChannelStatus.suspended and live_channel.suspended_for_testing
    ops.submit_report(world.company_a, live_channel, report_data(institution, result="fail"), io.BytesIO(PDF), "x.pdf")
    assert live_channel.status == ChannelStatus.suspended
    ops.submit_report(world.company_a, live_channel, report_data(institution), io.BytesIO(PDF), "ok.pdf")
    assert live_channel.status == ChannelStatus.live and not live_channel.suspended_for_testing


def test_c5_3_spot_checks_through_the_api(world, client, live_channel):
    headers = bearer(world.operator)
    ordered = client.post(
        f"/api/v1/channels/{live_channel.id}/spot-checks", headers=headers, json={"reason": "复测", "is_retest": True}
    )
    assert ordered.status_code == 201 and ordered.json["result"] == "pending"
    recorded = client.post(
        f"/api/v1/spot-checks/{ordered.json['id']}/result", headers=headers, json={"result": "fail", "notes": "未通过"}
    )
    assert recorded.json["channel_status"] == "suspended"
    again = client.post(f"/api/v1/spot-checks/{ordered.json['id']}/result", headers=headers, json={"result": "pass"})
    assert again.status_code == 409
    company = client.post(
        f"/api/v1/channels/{live_channel.id}/spot-checks", headers=bearer(world.company_a), json={"reason": "x"}
    )
    assert company.status_code == 403


def test_c5_3_daily_check_flags_expiring_and_overdue_reports_once(app, world, live_channel, institution):
    import sqlalchemy as sa

    from app.extensions import db
    from app.modules.messaging.models import Message
    from app.modules.security_tests.jobs import check_report_expiry

    assert check_report_expiry(today()) == {"expiring": 0, "overdue": 1}
    assert check_report_expiry(today()) == {"expiring": 0, "overdue": 0}  # idempotent
    tested = today() - timedelta(days=365 - app.config["REPORT_EXPIRY_WARNING_DAYS"] + 5)
    ops.submit_report(
        world.company_a, live_channel, report_data(institution, test_date=tested), io.BytesIO(PDF), "r.pdf"
    )
    assert check_report_expiry(today()) == {"expiring": 1, "overdue": 0}
    assert check_report_expiry(today()) == {"expiring": 0, "overdue": 0}
    owner = db.session.scalars(
        sa.select(Message.body).where(Message.organisation_id == world.org_a.id, Message.subject.contains("安全检测"))
    ).all()
    assert len(owner) == 2  # one message per run that found something, naming the channel and what is due
    assert any(f"{live_channel.name}（{live_channel.channel_number}）：无有效安全检测报告" in b for b in owner)
    assert any(f"{live_channel.name}（{live_channel.channel_number}）：安全检测报告将于" in b for b in owner)
    to_operator = db.session.scalars(sa.select(Message.subject).where(Message.user_id == world.operator.id)).all()
    assert sorted(to_operator) == [
        "安全检测报告日检：0 个即将到期，1 个无有效报告",
        "安全检测报告日检：1 个即将到期，0 个无有效报告",
    ]


def test_c5_3_daily_check_cli(app, world, live_channel):
    result = app.test_cli_runner().invoke(args=["security-tests", "check-expiry"])
    assert result.exit_code == 0 and "1 overdue" in result.output
