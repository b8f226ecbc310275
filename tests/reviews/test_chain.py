"""The review chain (C2.3, C2.6, C2.10): order, jurisdiction, rejection and resubmission, national scope."""

import pytest

from app.core.enums import ApplicationStatus, Stage, StepStatus
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.modules.applications import operations as ops
from app.modules.messaging.models import Message
from app.modules.reviews.operations import decide_step, round_steps
from app.modules.reviews.rules import PlannedStep, plan_steps
from tests.conftest import application_data, file_application


def step(app, stage, region=None):
    return next(s for s in round_steps(app) if s.stage == stage and s.region_code == region)


def approve(user, s, opinion="同意", **kw):
    return decide_step(user, s.id, True, opinion, user.display_name, "13800000000", **kw)


def test_c2_6_plan_province_level_region_skips_municipal():
    plan = plan_steps([("110000", "110000")], False, [])
    assert plan == [
        PlannedStep(Stage.provincial, "110000"),
        PlannedStep(Stage.national, None),
        PlannedStep(Stage.operator, None),
    ]


def test_c2_3_plan_national_scope_asks_every_province():
    plan = plan_steps([], True, ["110000", "370000"])
    assert [(p.stage, p.region_code, p.advisory) for p in plan[:2]] == [
        (Stage.provincial, "110000", True),
        (Stage.provincial, "370000", True),
    ]


def test_c2_6_full_chain_in_order(world):
    app = file_application(world.company_a)
    approve(world.jinan, step(app, Stage.municipal, "370100"))
    assert step(app, Stage.provincial, "370000").status == StepStatus.pending
    approve(world.shandong, step(app, Stage.provincial, "370000"))
    assert step(app, Stage.national).status == StepStatus.pending
    approve(world.national, step(app, Stage.national))
    assert app.status == ApplicationStatus.approved
    assert step(app, Stage.operator).status == StepStatus.pending
    assert app.rows[0].granted_codes == ["370100"]


def test_c2_6_out_of_turn_is_refused(world):
    app = file_application(world.company_a)
    with pytest.raises(Conflict) as exc:
        approve(world.shandong, step(app, Stage.provincial, "370000"))
    assert exc.value.code == "out_of_turn"


def test_c1_4_reviewer_of_another_city_cannot_decide(world):
    app = file_application(world.company_a)
    with pytest.raises(Forbidden):
        approve(world.qingdao, step(app, Stage.municipal, "370100"))
    assert step(app, Stage.municipal, "370100").status == StepStatus.pending


def test_c2_10_decision_records_opinion_reviewer_contact_phone_date(world):
    app = file_application(world.company_a)
    s = approve(world.jinan, step(app, Stage.municipal, "370100"), opinion="材料齐全")
    assert (s.opinion, s.reviewer_id, s.contact, s.phone) == (
        "材料齐全",
        world.jinan.id,
        world.jinan.display_name,
        "13800000000",
    )
    assert s.decided_at is not None


def test_c2_10_a_decision_names_its_contact_and_phone_and_a_step_that_does_not_exist_is_not_found(world):
    app = file_application(world.company_a)
    municipal = step(app, Stage.municipal, "370100")
    with pytest.raises(RuleViolation) as exc:
        decide_step(world.jinan, municipal.id, True, "同意", " ", "")
    assert exc.value.fields == {"contact": ["required"], "phone": ["required"]}
    with pytest.raises(NotFound):
        decide_step(world.jinan, 2**31 - 1, True, "同意", "王", "13800000000")
    assert municipal.status == StepStatus.pending


def test_c2_3_the_national_center_grants_at_least_one_region_or_rejects(world):
    app = file_application(world.company_a)
    approve(world.jinan, step(app, Stage.municipal, "370100"))
    approve(world.shandong, step(app, Stage.provincial, "370000"))
    national = step(app, Stage.national)
    with pytest.raises(RuleViolation) as exc:
        approve(world.national, national, granted={str(app.rows[0].id): []})
    assert exc.value.code == "C2.3" and national.status == StepStatus.pending


def test_c2_10_rejection_needs_reasons(world):
    app = file_application(world.company_a)
    with pytest.raises(RuleViolation) as exc:
        decide_step(world.jinan, step(app, Stage.municipal, "370100").id, False, "", "王", "13800000000")
    assert "opinion" in exc.value.fields


def test_c2_10_rejection_returns_with_reasons_and_resubmission_starts_round_two(world):
    app = file_application(world.company_a)
    decide_step(world.jinan, step(app, Stage.municipal, "370100").id, False, "用户数证明不足", "王", "13800000000")
    assert app.status == ApplicationStatus.returned
    assert {s.status for s in round_steps(app)} == {StepStatus.rejected, StepStatus.cancelled}
    inbox = db.session.query(Message).filter_by(organisation_id=world.org_a.id).all()
    assert any("用户数证明不足" in m.body for m in inbox)
    ops.update_draft(world.company_a, app, application_data(existing_users=3_000_000))
    ops.submit(world.company_a, app)
    assert app.round == 2 and len(app.rounds) == 2
    assert app.rounds[0].outcome == "returned" and app.rounds[0].reasons == "用户数证明不足"
    assert step(app, Stage.municipal, "370100").status == StepStatus.pending
    assert len(round_steps(app, 1)) == 4


def test_c2_10_s8_an_earlier_rounds_content_stays_readable(world, client):
    """Issue 16: the content of round 1 is kept and shown (page) and returned (API) after the amendment."""
    from tests.conftest import bearer, login

    app = file_application(world.company_a)
    decide_step(world.jinan, step(app, Stage.municipal, "370100").id, False, "渠道名称有误", "王", "13800000000")
    rows = [application_data()["rows"][0] | {"name": "惠民生活APP（新版）", "regions": ["370200"]}]
    ops.update_draft(world.company_a, app, application_data(rows=rows))
    ops.submit(world.company_a, app)
    answer = client.get(f"/api/v1/applications/{app.id}", headers=bearer(world.company_a)).json
    first = next(r for r in answer["rounds"] if r["round"] == 1)
    assert first["content"]["rows"][0]["name"] == "惠民生活APP" and first["outcome"] == "returned"
    login(client, "company_a")
    page = client.get(f"/applications/{app.id}").text
    shown = page[page.index('id="round-1"') :]
    assert "惠民生活APP<" in shown and "济南市" in shown and "第1轮提交的内容" in shown


def test_c2_6_two_cities_each_give_their_opinion(world):
    rows = [
        {
            "name": "惠民APP",
            "form": "app",
            "access_mode": "h5",
            "regions": ["370100", "370200"],
            "services": ["standard"],
        }
    ]
    app = file_application(world.company_a, rows=rows)
    approve(world.jinan, step(app, Stage.municipal, "370100"))
    assert step(app, Stage.provincial, "370000").status == StepStatus.waiting
    approve(world.qingdao, step(app, Stage.municipal, "370200"))
    assert step(app, Stage.provincial, "370000").status == StepStatus.pending


def test_c2_3_national_center_grants_a_subset(world):
    rows = [
        {
            "name": "惠民APP",
            "form": "app",
            "access_mode": "h5",
            "regions": ["370100", "370200"],
            "services": ["standard"],
        }
    ]
    app = file_application(world.company_a, rows=rows)
    approve(world.jinan, step(app, Stage.municipal, "370100"))
    approve(world.qingdao, step(app, Stage.municipal, "370200"))
    approve(world.shandong, step(app, Stage.provincial, "370000"))
    approve(world.national, step(app, Stage.national), granted={app.rows[0].id: ["370100"]})
    assert app.rows[0].granted_codes == ["370100"]


def test_c2_3_national_cannot_grant_what_was_not_requested(world):
    app = file_application(world.company_a)
    approve(world.jinan, step(app, Stage.municipal, "370100"))
    approve(world.shandong, step(app, Stage.provincial, "370000"))
    with pytest.raises(RuleViolation):
        approve(world.national, step(app, Stage.national), granted={app.rows[0].id: ["440100"]})
    assert step(app, Stage.national).status == StepStatus.pending


@pytest.mark.parametrize("row", ["999999", "not-a-row", "other"])
def test_c2_3_a_grant_names_only_rows_of_the_application_being_decided(world, row):
    """Issue 16: a grant keyed by an unknown row, or by a row of another application, is refused — it used to be
    ignored and everything requested granted."""
    app = file_application(world.company_a)
    if row == "other":
        row = str(file_application(world.company_a).rows[0].id)
    approve(world.jinan, step(app, Stage.municipal, "370100"))
    approve(world.shandong, step(app, Stage.provincial, "370000"))
    with pytest.raises(RuleViolation) as refused:
        approve(world.national, step(app, Stage.national), granted={row: ["370100"]})
    assert refused.value.code == "C2.3" and f"granted.{row}" in refused.value.fields
    assert step(app, Stage.national).status == StepStatus.pending


def test_c2_3_national_scope_collects_provincial_opinions(world):
    rows = [
        {
            "name": "全国APP",
            "form": "app",
            "access_mode": "h5",
            "national_scope": True,
            "regions": [],
            "services": ["standard"],
        }
    ]
    app = file_application(world.company_a, rows=rows)
    provincial = [s for s in round_steps(app) if s.stage == Stage.provincial]
    assert len(provincial) == 31 and all(s.advisory and s.status == StepStatus.pending for s in provincial)
    assert not [s for s in round_steps(app) if s.stage == Stage.municipal]
    decide_step(world.guangdong, step(app, Stage.provincial, "440000").id, False, "暂不开通", "李", "13800000000")
    assert app.status == ApplicationStatus.in_review
    assert step(app, Stage.national).status == StepStatus.waiting
    from tests.conftest import World

    for s in provincial:
        if s.status == StepStatus.pending:
            reviewer = World.user(f"p{s.region_code}", "provincial_reviewer", region_code=s.region_code)
            approve(reviewer, s)
    assert step(app, Stage.national).status == StepStatus.pending
    approve(world.national, step(app, Stage.national))
    granted = app.rows[0].granted_codes
    assert "370000" in granted and "440000" not in granted and len(granted) == 30


def test_the_review_chain_branches_on_no_intake_kind():
    """Issue 14: reviews asks the registry of intake kinds (applications/kinds.py); every kind is registered."""
    import ast
    from pathlib import Path

    from app.core.enums import ApplicationKind
    from app.modules.applications.kinds import KINDS

    assert set(KINDS) == set(ApplicationKind)
    for path in Path("app/modules/reviews").glob("*.py"):
        names = {n.id for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Name)}
        assert "ApplicationKind" not in names, path


def test_every_intake_kind_registers_its_page_and_the_operator_step_where_it_has_one():
    """Issue 14: the application page and its progress ask the kinds (applications/kinds.py), not `if app.kind`."""
    from app.core.enums import ApplicationKind
    from app.modules.applications import kinds

    assert set(kinds._PAGES) == set(ApplicationKind)
    assert set(kinds._OPERATOR_ACTIONS) == {ApplicationKind.test, ApplicationKind.production}
