"""The guards of a test-intake draft (C2.3, C2.4, C7.1): what the content must hold, what is refused, and that a
refused draft leaves nothing behind."""

import io

import pytest
import sqlalchemy as sa

from app.core.enums import Stage
from app.core.errors import Conflict, NotFound, RuleViolation
from app.extensions import db
from app.modules.applications import operations as ops
from app.modules.applications.models import Application
from app.modules.channels.models import Channel
from app.modules.reviews.operations import decide_step
from tests.conftest import PDF, application_data, attach_sheet, file_application
from tests.journeys import channel_in_testing, production_draft
from tests.reviews.test_chain import step

ROW = application_data()["rows"][0]


def _drafts() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application))


def test_c2_4_unknown_services_and_c2_3_no_region_are_refused(world):
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, application_data(rows=[ROW | {"services": ["standard", "lottery"]}]))
    assert exc.value.code == "C2.4" and exc.value.fields == {"rows.0.services": ["unknown"]}
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, application_data(rows=[ROW | {"regions": []}]))
    assert exc.value.code == "C2.3"
    assert _drafts() == 0


def test_an_application_lists_one_to_twenty_channels(world):
    for rows in ([], [ROW | {"name": f"渠道{i}"} for i in range(ops.MAX_ROWS + 1)]):
        with pytest.raises(RuleViolation) as exc:
            ops.create_draft(world.company_a, application_data(rows=rows))
        assert "rows" in exc.value.fields
    assert _drafts() == 0


def test_c7_1_a_contact_is_needed_to_submit(world):
    draft = ops.create_draft(world.company_a, application_data(contact_name="", contact_email="", contact_phone=""))
    attach_sheet(world.company_a, draft)
    assert any(p.field == "contact_name" for p in ops.submission_problems(draft))


def test_c7_1_attachments_have_known_kinds_and_belong_to_their_application(world):
    draft = ops.create_draft(world.company_a, application_data())
    with pytest.raises(RuleViolation):
        ops.add_attachment(world.company_a, draft, "selfie", io.BytesIO(PDF), "x.pdf")
    other = file_application(world.company_a)
    with pytest.raises(NotFound):
        ops.get_attachment(draft, other.attachments[0].id)
    assert draft.attachments == []


def test_c2_10_a_resubmission_updates_the_channels_it_created(world):
    app = file_application(world.company_a)
    channel = app.rows[0].channel
    decide_step(world.jinan, step(app, Stage.municipal, "370100").id, False, "名称不规范", "王", "13800000000")
    ops.update_draft(world.company_a, app, application_data(rows=[ROW | {"name": "惠民生活APP（新版）"}]))
    ops.submit(world.company_a, app)
    assert app.rows[0].channel.id == channel.id and channel.name == "惠民生活APP（新版）"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 1  # no second, orphaned channel


def test_c2_10_a_row_taken_out_of_a_returned_application_withdraws_its_channel(world):
    second = ROW | {"name": "惠民生活小程序", "form": "mini_program", "access_mode": "h5"}
    app = file_application(world.company_a, rows=[ROW, second])
    kept, dropped = app.rows[0].channel, app.rows[1].channel
    decide_step(world.jinan, step(app, Stage.municipal, "370100").id, False, "小程序暂不具备条件", "王", "13800000000")
    ops.update_draft(world.company_a, app, application_data(rows=[ROW]))
    assert dropped.status == "withdrawn" and app.rows[0].channel is kept
    ops.submit(world.company_a, app)
    assert kept.status == "applying" and [r.channel for r in app.rows] == [kept]


def test_a_production_intake_is_not_amended_through_the_test_intake_form(world):
    production = production_draft(world, channel_in_testing(world))
    with pytest.raises(Conflict) as exc:
        ops.update_draft(world.company_a, production, application_data())
    assert exc.value.code == "wrong_kind"
