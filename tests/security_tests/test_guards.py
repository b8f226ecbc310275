"""The guards of the institution register (C5.4), reports (C5.3), major changes and spot checks: who may act, what is
refused, and that a refusal changes nothing."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, Forbidden, RuleViolation
from app.core.timeutil import today
from app.extensions import db
from app.modules.security_tests import operations as ops
from app.modules.security_tests.models import Institution, SecurityReport
from tests.conftest import PDF, file_application
from tests.security_tests.test_reports import report_data


def _reports(channel) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(SecurityReport).where(SecurityReport.channel_id == channel.id)
    )


def test_c5_4_only_the_operator_keeps_the_register_and_names_are_unique(world, institution):
    with pytest.raises(Forbidden):
        ops.create_institution(world.company_a, "自封检测机构")
    with pytest.raises(Conflict):
        ops.create_institution(world.operator, f"  {institution.name} ")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Institution)) == 1


def test_c5_4_a_qualification_is_one_of_the_four_and_its_validity_runs_forward(world, institution):
    with pytest.raises(RuleViolation) as exc:
        ops.set_qualification(world.operator, institution, "iso9001", "X-1", date(2024, 1, 1), date(2027, 1, 1))
    assert exc.value.code == "C5.4"
    with pytest.raises(RuleViolation) as exc:
        ops.set_qualification(world.operator, institution, "cma", "CMA-2", date(2027, 1, 1), date(2026, 1, 1))
    assert "valid_until" in exc.value.fields
    assert {q.certificate_number for q in institution.qualifications if q.kind == "cma"} == {"CMA-001"}


def test_c5_3_a_report_needs_a_channel_in_testing_a_known_institution_and_a_past_test_date(
    world,
    channel,
    institution,
):
    with pytest.raises(RuleViolation) as exc:
        ops.submit_report(
            world.company_a, channel, report_data(institution, institution_id=2**31 - 1), io.BytesIO(PDF), "r.pdf"
        )
    assert "institution_id" in exc.value.fields
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(RuleViolation) as exc:
        ops.submit_report(
            world.company_a, channel, report_data(institution, test_date=tomorrow), io.BytesIO(PDF), "r.pdf"
        )
    assert "test_date" in exc.value.fields
    assert _reports(channel) == 0


def test_c5_3_a_channel_not_yet_in_testing_files_no_report(world, institution):
    applying = file_application(world.company_a).rows[0].channel
    with pytest.raises(Conflict) as exc:
        ops.submit_report(world.company_a, applying, report_data(institution), io.BytesIO(PDF), "r.pdf")
    assert exc.value.code == "not_reportable" and _reports(applying) == 0


def test_c5_3_a_major_change_is_declared_by_the_owner_with_its_kind_and_description(world, channel):
    with pytest.raises(Forbidden):
        ops.declare_major_change(world.company_b, channel, "upgrade", "别人的渠道")
    for kind, description in (("rewrite", "重构"), ("upgrade", "  ")):
        with pytest.raises(RuleViolation):
            ops.declare_major_change(world.company_a, channel, kind, description)
    assert channel.major_change_on is None


def test_c5_3_a_spot_check_has_a_reason_and_one_result_pass_or_fail(world, channel):
    with pytest.raises(RuleViolation):
        ops.order_spot_check(world.operator, channel, "  ")
    check = ops.order_spot_check(world.operator, channel, "例行抽查")
    with pytest.raises(RuleViolation):
        ops.record_spot_check(world.operator, check, "maybe")
    ops.record_spot_check(world.operator, check, "pass", "未发现问题")
    with pytest.raises(Conflict) as exc:
        ops.record_spot_check(world.operator, check, "fail")
    assert exc.value.code == "already_recorded" and check.result == "pass"
