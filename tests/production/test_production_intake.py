"""Production intake (C2.7, C2.8, C2.9, C7.3): Form 3 from `testing` with a current report and two recordings; the
review chain; the operator's verification; rejection returns the application; go-live issues the production key."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.enums import ApplicationStatus, ChannelStatus, KeyEnvironment, Stage, StepStatus
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.timeutil import today
from app.extensions import db
from app.modules.applications.aggregate import withdraw
from app.modules.key_issuance.models import ChannelKey
from app.modules.production import operations as production
from app.modules.production.models import CHECKLIST, Recording
from app.modules.reviews.operations import decide_step, round_steps
from app.modules.security_tests import operations as security_tests
from tests.conftest import PDF, stored_files
from tests.journeys import (
    MP4,
    channel_in_testing,
    filed_production,
    passing_report,
    production_draft,
    published_agreement,
    qualified_institution,
    reviewed_production,
    signed_agreement,
    upload_recordings,
    verified_production,
)


def test_c2_8_production_intake_only_from_testing(world):
    channel = channel_in_testing(world)
    filed_production(world, channel)
    assert channel.status == ChannelStatus.production_review
    with pytest.raises(Conflict) as exc:
        production_draft(world, channel, report=security_tests.current_report(channel))
    assert exc.value.code == "C2.8"


def test_c2_8_only_the_owner_files_production_intake(world):
    channel = channel_in_testing(world)
    with pytest.raises(Forbidden):
        production.create_production_draft(world.company_b, channel, {})


def test_c7_3_form3_copies_the_channel_row_with_number_and_grants(world):
    channel = channel_in_testing(world)
    app = production_draft(world, channel)
    assert app.number.startswith("P") and app.kind == "production"
    [row] = app.rows
    assert row.channel_id == channel.id and row.name == channel.name
    assert row.granted_codes == ["370100"] and set(row.service_codes) == {s.code for s in channel.services}


def test_c2_7_submission_needs_a_current_passing_report(world):
    channel = channel_in_testing(world)
    failed = passing_report(world, channel, result="fail")
    with pytest.raises(RuleViolation) as exc:
        production_draft(world, channel, report=failed)
    assert exc.value.code == "C5.3"
    app = production.create_production_draft(world.company_a, channel, {"contact_name": "张三"})
    upload_recordings(world, app)
    with pytest.raises(RuleViolation) as exc:
        production.submit_production(world.company_a, app)
    assert "security_report_id" in exc.value.fields


def test_c5_3_a_report_outdated_by_a_major_change_cannot_be_used(world):
    channel = channel_in_testing(world)
    report = passing_report(world, channel)
    security_tests.declare_major_change(world.company_a, channel, "upgrade", "5.3 版重构登录")
    with pytest.raises(RuleViolation):
        production_draft(world, channel, report=report)


def test_c5_3_a_same_year_report_of_another_own_channel_may_be_reused(world):
    first = channel_in_testing(world)
    report = passing_report(world, first, test_date=today().replace(month=1, day=1) + timedelta(days=1))
    second = channel_in_testing(world)
    app = production_draft(world, second, report=report)
    assert app.security_report_id == report.id


def test_c2_9_submission_needs_both_recordings(world):
    app = production_draft(world, channel_in_testing(world))
    production.upload_recording(world.company_a, app, "ios", io.BytesIO(MP4), "ios.mp4")
    with pytest.raises(RuleViolation) as exc:
        production.submit_production(world.company_a, app)
    assert exc.value.code == "C2.9" and "recordings.android" in exc.value.fields


def test_c2_9_a_recording_must_be_a_video(world):
    app = production_draft(world, channel_in_testing(world))
    before = stored_files()
    with pytest.raises(RuleViolation) as exc:
        production.upload_recording(world.company_a, app, "ios", io.BytesIO(PDF), "ios.pdf")
    assert exc.value.code == "upload_type"
    with pytest.raises(RuleViolation) as exc:
        production.upload_recording(world.company_a, app, "ios", io.BytesIO(PDF), "ios.mp4")
    assert exc.value.code == "upload_mismatch"
    assert stored_files() == before


def test_c2_9_a_recording_over_the_limit_is_refused_and_leaves_nothing(world, app):
    draft = production_draft(world, channel_in_testing(world))
    before = stored_files()
    app.config["MAX_RECORDING_BYTES"] = 1024
    try:
        with pytest.raises(RuleViolation) as exc:
            production.upload_recording(world.company_a, draft, "ios", io.BytesIO(MP4 + b"\0" * 2048), "ios.mp4")
    finally:
        app.config["MAX_RECORDING_BYTES"] = 200 * 1024 * 1024
    assert exc.value.status == 413
    assert stored_files() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_an_interrupted_recording_upload_leaves_no_file_or_row(world):
    draft = production_draft(world, channel_in_testing(world))
    before = stored_files()

    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 0:
                raise ConnectionResetError("client went away")
            return super().read(size)

    with pytest.raises(ConnectionResetError):
        production.upload_recording(world.company_a, draft, "ios", Broken(MP4 + b"\0" * 200_000), "ios.mp4")
    assert stored_files() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_a_replaced_recording_is_kept_on_record(world):
    app = production_draft(world, channel_in_testing(world))
    production.upload_recording(world.company_a, app, "ios", io.BytesIO(MP4), "first.mp4")
    production.upload_recording(world.company_a, app, "ios", io.BytesIO(MP4 + b"x"), "second.mp4")
    rows = db.session.scalars(sa.select(Recording).order_by(Recording.id)).all()
    assert [r.filename for r in rows] == ["first.mp4", "second.mp4"]
    assert rows[0].replaced_at is not None and production.current_recordings(app)["ios"].filename == "second.mp4"


def test_c2_8_review_chain_municipal_provincial_national_then_operator(world):
    app = filed_production(world)
    stages = [(s.stage, s.region_code, s.status) for s in round_steps(app)]
    assert stages == [
        (Stage.municipal, "370100", StepStatus.pending),
        (Stage.provincial, "370000", StepStatus.waiting),
        (Stage.national, None, StepStatus.waiting),
        (Stage.operator, None, StepStatus.waiting),
    ]
    reviewed_production(world, app)
    assert app.status == ApplicationStatus.in_review
    assert production.operator_step(app).status == StepStatus.pending
    assert production.verification_refusal(world.operator, app) is None


def test_c2_8_the_operator_cannot_verify_before_the_national_review(world):
    app = filed_production(world)
    with pytest.raises(Conflict) as exc:
        production.check_recording(world.operator, app.id, "ios", ["enter"])
    assert exc.value.code == "out_of_turn"


def test_c2_10_rejection_at_any_step_returns_it_and_the_channel_goes_back_to_testing(world):
    app = filed_production(world)
    channel = production.production_channel(app)
    step = round_steps(app)[0]
    decide_step(world.jinan, step.id, False, "录屏不清晰", "济南", "13800000000")
    assert app.status == ApplicationStatus.returned and channel.status == ChannelStatus.testing
    assert app.rounds[-1].reasons == "录屏不清晰"
    production.upload_recording(world.company_a, app, "ios", io.BytesIO(MP4 + b"v2"), "ios2.mp4")
    production.submit_production(world.company_a, app)
    assert app.round == 2 and channel.status == ChannelStatus.production_review


def test_c2_9_approval_needs_all_six_steps_ticked_in_both_recordings_and_the_report_reviewed(world):
    app = reviewed_production(world, filed_production(world))
    production.check_recording(world.operator, app.id, "ios", list(CHECKLIST))
    production.check_recording(world.operator, app.id, "android", ["enter", "issue"])
    with pytest.raises(RuleViolation) as exc:
        production.verify(world.operator, app.id, True, "通过", "运营", "13800000000")
    assert "recordings.android" in exc.value.fields and "report_reviewed" in exc.value.fields
    assert production.operator_step(app).status == StepStatus.pending
    production.check_recording(world.operator, app.id, "android", list(CHECKLIST))
    production.review_report(world.operator, app.id, True)
    production.verify(world.operator, app.id, True, "通过", "运营", "13800000000")
    assert app.status == ApplicationStatus.approved
    step = production.operator_step(app)
    assert step.reviewer_name == world.operator.display_name and step.opinion == "通过"


def test_c2_9_each_tick_records_who_and_when(world):
    app = reviewed_production(world, filed_production(world))
    recording = production.check_recording(world.operator, app.id, "ios", ["enter", "exit"])
    assert recording.checked_steps == ["enter", "exit"]
    assert all(c.checked_by_id == world.operator.id and c.checked_at for c in recording.checks)
    recording = production.check_recording(world.operator, app.id, "ios", ["enter"])
    assert recording.checked_steps == ["enter"]
    with pytest.raises(RuleViolation):
        production.check_recording(world.operator, app.id, "ios", ["dance"])


def test_c2_8_operator_rejection_returns_the_application(world):
    app = reviewed_production(world, filed_production(world))
    production.verify(world.operator, app.id, False, "安卓录屏缺少解除关联", "运营", "13800000000")
    assert app.status == ApplicationStatus.returned
    assert production.production_channel(app).status == ChannelStatus.testing


def test_c2_8_no_production_key_before_every_step_is_done(world):
    app = reviewed_production(world, filed_production(world))
    with pytest.raises(Conflict) as exc:
        production.go_live(world.operator, app.id)
    assert "status" in exc.value.fields and "agreement" in exc.value.fields
    verified_production(world, app)
    with pytest.raises(Conflict) as exc:
        production.go_live(world.operator, app.id)
    assert list(exc.value.fields) == ["agreement"]
    channel = production.production_channel(app)
    assert channel.status == ChannelStatus.production_review
    keys = db.session.scalars(sa.select(ChannelKey).where(ChannelKey.channel_id == channel.id)).all()
    assert [k.environment for k in keys] == [KeyEnvironment.test]


def test_c2_8_go_live_issues_the_production_key_and_the_channel_is_live(world):
    app = verified_production(world, reviewed_production(world, filed_production(world)))
    channel = production.production_channel(app)
    signed_agreement(world, channel)
    issued = production.go_live(world.operator, app.id)
    assert channel.status == ChannelStatus.live and channel.live_since == today()
    assert issued.key.environment == KeyEnvironment.production and issued.key.key_id.startswith("pk_")
    assert app.status == ApplicationStatus.completed
    assert [r.code for r in channel.regions] == ["370100"]
    with pytest.raises(Conflict):
        production.go_live(world.operator, app.id)


def test_c2_8_hrss_and_government_channels_go_live_without_an_agreement(world):
    channel = channel_in_testing(world, category="government", social=None)
    app = verified_production(world, reviewed_production(world, filed_production(world, channel)))
    published_agreement(world)
    issued = production.go_live(world.operator, app.id)
    assert issued.channel.status == ChannelStatus.live


def test_only_the_operator_issues_the_production_key(world):
    app = verified_production(world, reviewed_production(world, filed_production(world)))
    with pytest.raises(Forbidden):
        production.go_live(world.national, app.id)


def test_withdrawing_a_production_intake_puts_the_channel_back_into_testing(world):
    app = filed_production(world)
    withdraw(world.company_a, app)
    assert production.production_channel(app).status == ChannelStatus.testing


def test_other_institutions_unqualified_report_is_refused_at_filing(world):
    channel = channel_in_testing(world)
    qualified_institution(world)
    with pytest.raises(RuleViolation):
        production.create_production_draft(world.company_a, channel, {"security_report_id": 999_999})


def test_c2_8_one_production_intake_at_a_time_and_only_the_applicant_amends_it(world):
    channel = channel_in_testing(world)
    draft = production_draft(world, channel)
    with pytest.raises(Conflict) as exc:
        production_draft(world, channel, report=security_tests.current_report(channel))
    assert exc.value.code == "open_exists"
    with pytest.raises(Forbidden):
        production.update_production_draft(world.company_b, draft, {"contact_name": "李四"})
    with pytest.raises(RuleViolation) as exc:
        production.update_production_draft(world.company_a, draft, {"security_report_id": 2**31 - 1})
    assert exc.value.code == "C2.7"
    production.update_production_draft(world.company_a, draft, {"security_report_id": None})  # none clears it
    assert draft.security_report_id is None and draft.contact_name == "张三"


def test_c2_9_recordings_are_for_ios_or_android_and_a_missing_one_is_not_found(world):
    draft = production_draft(world, channel_in_testing(world))
    with pytest.raises(NotFound):
        production.upload_recording(world.company_a, draft, "harmony", io.BytesIO(MP4), "a.mp4")
    with pytest.raises(NotFound):
        production.get_recording(draft, "ios")
    assert production.current_recordings(draft) == {}
