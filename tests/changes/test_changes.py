"""C4.1 changes of scope: a live channel applies to add regions or personalized services; the application travels
the review chain (the centers of the added regions, the national center, the operator) and, once approved, the
channel's grants — and the gateway check — change from the approval date."""

import pytest
import sqlalchemy as sa

from app.core.enums import Stage
from app.core.errors import Conflict, NotFound, RuleViolation
from app.extensions import db
from app.modules.changes import operations as ops
from app.modules.messaging.models import Message
from app.modules.reviews.operations import decide_step, round_steps
from tests.conftest import bearer, login
from tests.gateway.test_gateway import call
from tests.journeys import channel_in_testing, live_channel

CHANGE = {"regions": ["370100", "370200"], "services": ["standard", "qr_login", "local_services"], "reason": "拓展青岛"}


def _approve_chain(world, app, granted=None):
    reviewers = {"370200": world.qingdao, "370000": world.shandong, "370100": world.jinan}
    for stage in (Stage.municipal, Stage.provincial, Stage.national):
        for step in [s for s in round_steps(app) if s.stage == stage]:
            user = world.national if stage == Stage.national else reviewers[step.region_code]
            decide_step(user, step.id, True, "同意", user.display_name, "13800000000", granted=granted)


def test_c4_1_the_chain_runs_through_the_added_regions_only(world):
    channel, _key = live_channel(world)
    app = ops.apply_for_change(world.company_a, channel.id, CHANGE)
    assert app.number.startswith("C") and app.status == "in_review"
    steps = [(s.stage.value, s.region_code) for s in round_steps(app)]
    assert steps == [("municipal", "370200"), ("provincial", "370000"), ("national", None), ("operator", None)]
    services_only = CHANGE | {"regions": ["370100"]}
    with pytest.raises(Conflict):
        ops.apply_for_change(world.company_a, channel.id, services_only)  # one change at a time


def test_c4_1_approved_changes_the_grants_and_the_gateway_check_from_that_day(world, client):
    channel, key = live_channel(world)
    path = "/api/v1/channel/services/local_services"
    assert call(client, "GET", path, key.key.key_id, key.secret).status_code == 403
    app = ops.apply_for_change(world.company_a, channel.id, CHANGE)
    _approve_chain(world, app)
    assert [r.code for r in channel.regions] == ["370100"]  # not before the operator's approval
    ops.decide_change(world.operator, app.id, True, "同意", "运营", "13800000000")
    assert app.status == "completed"
    assert [r.code for r in channel.regions] == ["370100", "370200"]
    assert {s.code for s in channel.services} == {"standard", "qr_login", "local_services"}
    assert call(client, "GET", path, key.key.key_id, key.secret).status_code == 200
    owner = db.session.scalars(sa.select(Message).where(Message.organisation_id == world.org_a.id)).all()
    assert any("变更已生效" in m.subject and "青岛" in m.body for m in owner)


def test_c4_1_the_national_center_may_grant_a_subset_and_a_rejection_keeps_the_grants(world):
    channel, _key = live_channel(world)
    app = ops.apply_for_change(world.company_a, channel.id, CHANGE)
    _approve_chain(world, app, granted={str(app.rows[0].id): ["370100"]})
    ops.decide_change(world.operator, app.id, True, "同意", "运营", "13800000000")
    assert [r.code for r in channel.regions] == ["370100"]  # Qingdao not granted
    assert "local_services" in {s.code for s in channel.services}
    second = ops.apply_for_change(world.company_a, channel.id, CHANGE | {"services": ["standard"]})
    _approve_chain(world, second)
    with pytest.raises(RuleViolation):
        ops.decide_change(world.operator, second.id, False, "", "运营", "13800000000")  # reasons required
    ops.decide_change(world.operator, second.id, False, "暂不受理", "运营", "13800000000")
    assert second.status == "returned" and {s.code for s in channel.services} == {
        "standard",
        "qr_login",
        "local_services",
    }


def test_c4_1_refused_when_not_live_not_owned_unchanged_or_out_of_turn(world):
    testing = channel_in_testing(world)
    with pytest.raises(Conflict) as exc:
        ops.apply_for_change(world.company_a, testing.id, CHANGE)
    assert exc.value.code == "C4.1"
    channel, _key = live_channel(world)
    with pytest.raises(NotFound):
        ops.apply_for_change(world.company_b, channel.id, CHANGE)
    with pytest.raises(RuleViolation):
        ops.apply_for_change(
            world.company_a, channel.id, CHANGE | {"regions": ["370100"], "services": ["standard", "qr_login"]}
        )
    with pytest.raises(RuleViolation):
        ops.apply_for_change(world.company_a, channel.id, CHANGE | {"services": ["qr_login"]})  # C2.4 standard
    app = ops.apply_for_change(world.company_a, channel.id, CHANGE)
    with pytest.raises(Conflict):
        ops.decide_change(world.operator, app.id, True, "同意", "运营", "13800000000")  # national not yet
    assert [r.code for r in channel.regions] == ["370100"]


def test_c4_1_through_the_pages_and_the_api(world, client):
    channel, _key = live_channel(world)
    login(client, "company_a")
    assert "申请变更地域或服务" in client.get(f"/channels/{channel.id}").text
    posted = client.post(f"/channels/{channel.id}/change", data=CHANGE)
    assert posted.status_code == 302
    app = ops.open_change(channel)
    assert "变更内容" in client.get(f"/applications/{app.id}").text
    _approve_chain(world, app)
    client.post("/logout")
    login(client, "operator")
    page = client.get(f"/applications/{app.id}").text
    assert "change-decision" in page
    decision = {"decision": "approve", "opinion": "同意", "contact": "运营", "phone": "13800000000"}
    assert client.post(f"/applications/{app.id}/change-decision", data=decision).status_code == 302
    db.session.expire_all()
    assert app.status == "completed"
    api = client.post(
        f"/api/v1/channels/{channel.id}/changes", headers=bearer(world.company_a), json=CHANGE | {"regions": ["370100"]}
    )
    assert api.status_code == 201
    foreign = client.post(f"/api/v1/channels/{channel.id}/changes", headers=bearer(world.company_b), json=CHANGE)
    assert foreign.status_code == 404
    early = client.post(
        f"/api/v1/change-applications/{api.json['id']}/decision",
        headers=bearer(world.operator),
        json={"approve": True, "contact": "运营", "phone": "13800000000"},
    )
    assert early.status_code == 409
