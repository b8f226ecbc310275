"""Test intake: draft, eligibility (C2.2), supplements (C7.2, C3.8), submit and double submit."""

import pytest
import sqlalchemy as sa

from app.core.enums import ApplicationStatus, ChannelCategory, ChannelStatus, Stage, StepStatus
from app.core.errors import Conflict, Forbidden, RuleViolation
from app.extensions import db
from app.modules.accounts import operations as accounts
from app.modules.accounts.rules import make_uscc
from app.modules.applications import aggregate
from app.modules.applications import operations as ops
from app.modules.reviews.operations import round_steps
from tests.conftest import application_data, attach_sheet, file_application


def test_c2_6_submit_routes_city_then_province(world):
    app = file_application(world.company_a)
    assert app.status == ApplicationStatus.in_review and app.round == 1
    steps = {(s.stage, s.region_code): s.status for s in round_steps(app)}
    assert steps == {
        (Stage.municipal, "370100"): StepStatus.pending,
        (Stage.provincial, "370000"): StepStatus.waiting,
        (Stage.national, None): StepStatus.waiting,
        (Stage.operator, None): StepStatus.waiting,
    }
    assert app.rows[0].channel.status == ChannelStatus.applying


def test_c2_2_social_channel_needs_a_million_users(world):
    draft = ops.create_draft(world.company_a, application_data(existing_users=999_999))
    attach_sheet(world.company_a, draft)
    with pytest.raises(RuleViolation) as exc:
        ops.submit(world.company_a, draft)
    assert exc.value.code == "C2.2" and "existing_users" in exc.value.fields
    assert draft.status == ApplicationStatus.draft and draft.round == 0


def test_c2_2_operated_at_least_a_year(world):
    from app.core.timeutil import today

    draft = ops.create_draft(world.company_a, application_data(operating_since=today()))
    attach_sheet(world.company_a, draft)
    with pytest.raises(RuleViolation) as exc:
        ops.submit(world.company_a, draft)
    assert "operating_since" in exc.value.fields


def test_c2_2_livelihood_declaration_required(world):
    draft = ops.create_draft(world.company_a, application_data(serves_livelihood=False))
    attach_sheet(world.company_a, draft)
    with pytest.raises(RuleViolation) as exc:
        ops.submit(world.company_a, draft)
    assert "serves_livelihood" in exc.value.fields


def test_c7_2_social_channel_needs_form_2(world):
    draft = ops.create_draft(world.company_a, application_data(social=None))
    attach_sheet(world.company_a, draft)
    with pytest.raises(RuleViolation) as exc:
        ops.submit(world.company_a, draft)
    assert "social" in exc.value.fields


def test_c7_1_test_information_sheet_required(world):
    draft = ops.create_draft(world.company_a, application_data())
    with pytest.raises(RuleViolation) as exc:
        ops.submit(world.company_a, draft)
    assert "attachments" in exc.value.fields


def test_bank_channel_needs_no_form_2(world):
    app = file_application(world.company_a, category="bank", existing_users=10, social=None)
    assert app.status == ApplicationStatus.in_review and app.social is None


def test_double_submit_is_refused(world):
    app = file_application(world.company_a)
    with pytest.raises(Conflict):
        ops.submit(world.company_a, app)
    assert app.round == 1


def test_c2_5_sdk_only_for_apps(world):
    rows = [
        {
            "name": "惠民小程序",
            "form": "mini_program",
            "access_mode": "sdk",
            "regions": ["370100"],
            "services": ["standard"],
        }
    ]
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, application_data(rows=rows))
    assert exc.value.code == "C2.5" and "rows.0.access_mode" in exc.value.fields


def test_c2_4_standard_service_mandatory(world):
    rows = [{"name": "X", "form": "app", "access_mode": "h5", "regions": ["370100"], "services": ["qr_login"]}]
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, application_data(rows=rows))
    assert exc.value.code == "C2.4"


def test_c2_4_service_restricted_to_categories(world):
    from app.modules.channels.operations import update_service

    update_service("local_services", {"allowed_categories": ["hrss", "government"]})
    rows = [
        {
            "name": "X",
            "form": "app",
            "access_mode": "h5",
            "regions": ["370100"],
            "services": ["standard", "local_services"],
        }
    ]
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, application_data(rows=rows))
    assert exc.value.code == "C2.4"


def test_c2_3_unknown_region_code(world):
    rows = [{"name": "X", "form": "app", "access_mode": "h5", "regions": ["999999"], "services": ["standard"]}]
    with pytest.raises(RuleViolation) as exc:
        ops.create_draft(world.company_a, application_data(rows=rows))
    assert exc.value.code == "unknown_region"


def test_failed_draft_leaves_nothing(world):
    from app.extensions import db
    from app.modules.applications.models import Application

    rows = [{"name": "X", "form": "app", "access_mode": "h5", "regions": ["999999"], "services": ["standard"]}]
    with pytest.raises(RuleViolation):
        ops.create_draft(world.company_a, application_data(rows=rows))
    assert db.session.query(Application).count() == 0


def test_withdraw_cancels_open_steps(world):
    app = file_application(world.company_a)
    aggregate.withdraw(world.company_a, app)
    assert app.status == ApplicationStatus.withdrawn
    assert {s.status for s in round_steps(app)} == {StepStatus.cancelled}
    assert app.rows[0].channel.status == ChannelStatus.withdrawn


def test_c2_2_reviewers_see_the_eligibility_verdict_with_its_facts(world, client):
    """Issue 15 item 7: the municipal reviewer reads what the application states beside what C2.2 asks."""
    from tests.conftest import login

    app = file_application(world.company_a)
    login(client, "jinan")
    page = client.get(f"/applications/{app.id}").text
    assert 'id="eligibility"' in page and "准入条件（C2.2）" in page
    section = page[page.index('id="eligibility"') : page.index('id="form-downloads"')]
    assert "符合" in section and "不符合" not in section
    assert "2,000,000" in section
    draft = ops.create_draft(world.company_a, application_data(existing_users=999_999))
    login(client, "company_a")
    section = client.get(f"/applications/{draft.id}").text.split('id="eligibility"')[1].split('id="form-downloads"')[0]
    assert "不符合" in section and "999,999" in section


def test_c1_2_the_category_follows_the_owner_not_the_application(world, client):
    """Issue 16: a social company cannot file as a bank (skipping C2.2's threshold and C2.8's agreement); the form
    offers only the owner's registered kind, and the API refuses another one with C1.2."""
    import re

    from tests.conftest import bearer, login

    with pytest.raises(RuleViolation) as refused:
        ops.create_draft(world.company_a, application_data(category="bank", existing_users=10, social=None))
    assert refused.value.code == "C1.2" and "category" in refused.value.fields
    body = {"category": "government", "contact_name": "张三", "rows": application_data()["rows"]}
    answer = client.post("/api/v1/applications", headers=bearer(world.company_a), json=body)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "C1.2"
    draft = ops.create_draft(world.company_a, application_data())  # no category sent: the owner's
    assert draft.category == ChannelCategory.social
    login(client, "company_a")
    select = re.search(r'<select[^>]*name="category".*?</select>', client.get("/applications/new").text, re.S)
    assert re.findall(r'<option[^>]*value="(\w*)"', select.group(0)) == ["social"]


def test_c1_2_s3_only_a_reviewed_change_of_the_organisation_changes_the_category(world, client):
    """The permission administrator changes the kind with its grounds (audited); the owner's channels follow."""
    from app.core.audit import AuditEntry
    from tests.conftest import bearer

    draft = ops.create_draft(world.company_a, application_data())
    with pytest.raises(Forbidden):
        accounts.change_organisation_category(world.company_a, world.org_a.id, "bank", "自己说是银行")
    with pytest.raises(RuleViolation):
        accounts.change_organisation_category(world.admin, world.org_a.id, "bank", " ")
    answer = client.post(
        f"/api/v1/organisations/{world.org_a.id}/category",
        headers=bearer(world.admin),
        json={"category": "bank", "reason": "金融许可证复核：持牌银行"},
    )
    assert answer.status_code == 200 and answer.json["category"] == "bank"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "organisation.category")).one()
    assert entry.before["category"] == "social" and entry.after["category"] == "bank"
    assert entry.actor_id == world.admin.id and "金融许可证" in entry.after["reason"]
    updated = ops.update_draft(world.company_a, draft, application_data(existing_users=10, social=None))
    assert updated.category == ChannelCategory.bank


def test_c1_2_an_organisation_is_registered_with_its_kind(world, client):
    from tests.conftest import bearer

    body = {"name": "济南市第一人民医院", "uscc": make_uscc("12370100000000077")}
    missing = client.post("/api/v1/organisations", headers=bearer(world.admin), json=body)
    assert missing.status_code == 422 and "category" in missing.json["error"]["fields"]
    made = client.post("/api/v1/organisations", headers=bearer(world.admin), json=body | {"category": "medical"})
    assert made.status_code == 201 and made.json["category"] == "medical"


def test_c7_1_the_fill_date_cannot_lie_in_the_future(world):
    """Issue 16: Form 1 is dated the day it is filled (today is allowed, tomorrow is not), on creation and amendment."""
    from datetime import timedelta

    from app.core.timeutil import today

    with pytest.raises(RuleViolation) as refused:
        ops.create_draft(world.company_a, application_data(fill_date=today() + timedelta(days=1)))
    assert refused.value.code == "C7.1" and "fill_date" in refused.value.fields
    draft = ops.create_draft(world.company_a, application_data(fill_date=today()))
    with pytest.raises(RuleViolation):
        ops.update_draft(world.company_a, draft, application_data(fill_date=today() + timedelta(days=30)))
    assert draft.fill_date == today()
