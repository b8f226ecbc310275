"""Security incidents (C5.2, C5.5, C5.6, C3.5): reported or recorded, graded by type, confirmed or re-graded before the
consequences apply at once — visible at the gateway check —; rectification and restore start the observation period
that renewal needs (C4.11); overdue rectifications are escalated; bursts of refusals open candidates."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.enums import KeyStatus
from app.core.errors import Conflict, NotFound, RuleViolation
from app.core.timeutil import today, utcnow
from app.extensions import db
from app.modules.agreements import renewal
from app.modules.exits.models import Exit
from app.modules.incidents import operations as ops
from app.modules.incidents.models import GatewayRefusal, Incident
from app.modules.messaging.models import Message
from tests.gateway.test_gateway import call
from tests.journeys import live_channel

QR = "/api/v1/channel/services/qr_login"
STANDARD = "/api/v1/channel/services/standard"


def _report(world, channel, kind="page_tampering"):
    data = {"incident_type": kind, "discovered_at": utcnow() - timedelta(hours=1), "description": "首页被篡改"}
    return ops.report_incident(world.company_a, channel.id, data)


def _ok(client, key, path=QR):
    return call(client, "GET", path, key.key.key_id, key.secret).status_code == 200


def test_c5_2_a_channel_reports_an_incident_to_the_operator_and_hrss(world):
    channel, _key = live_channel(world)
    incident = _report(world, channel)
    assert (incident.level, incident.status, incident.source) == (1, "reported", "channel")
    for user in (world.operator, world.national):
        assert db.session.scalars(
            sa.select(Message).where(Message.user_id == user.id, Message.subject.contains(incident.number))
        ).all()
    with pytest.raises(RuleViolation) as exc:
        ops.report_incident(
            world.company_a,
            channel.id,
            {"incident_type": "no_such_type", "discovered_at": utcnow(), "description": "x"},
        )
    assert exc.value.code == "C5.5"
    with pytest.raises(NotFound):
        ops.report_incident(
            world.company_b,
            channel.id,
            {"incident_type": "page_tampering", "discovered_at": utcnow(), "description": "x"},
        )


def test_c5_5_level_1_suspends_the_picked_services_at_the_gateway_until_restored(world, client):
    channel, key = live_channel(world)
    incident = _report(world, channel)
    assert _ok(client, key)  # nothing applies before confirmation
    with pytest.raises(RuleViolation):
        ops.confirm(world.operator, incident.id, services=[])  # level 1: the operator picks the services
    ops.confirm(world.operator, incident.id, services=["qr_login"])
    assert incident.status == "rectifying" and incident.rectification_due > today()
    assert not _ok(client, key) and _ok(client, key, STANDARD)  # partial suspension, at once
    with pytest.raises(Conflict) as exc:
        ops.restore(world.operator, incident.id)  # no accepted rectification yet
    assert exc.value.code == "C5.5"
    report = ops.file_rectification(world.company_a, incident.id, "已修复页面并加固")
    ops.decide_rectification(world.operator, report.id, True, "通过")
    ops.restore(world.operator, incident.id)
    assert incident.status == "restored" and _ok(client, key)
    assert incident.observation_until > today()


def test_c5_5_level_2_suspends_every_service_and_key(world, client):
    channel, key = live_channel(world)
    incident = _report(world, channel, "general_leak")
    ops.confirm(world.operator, incident.id)
    assert channel.status == "suspended" and not _ok(client, key) and not _ok(client, key, STANDARD)
    assert {k.status for k in channel.keys if k.environment == "production"} == {KeyStatus.suspended}
    report = ops.file_rectification(world.company_a, incident.id, "整改完成")
    ops.decide_rectification(world.operator, report.id, True, "")
    ops.restore(world.operator, incident.id)
    assert channel.status == "live" and _ok(client, key)


def test_c5_5_c6_4_level_3_terminates_keys_revoked_and_a_forced_exit_opened(world, client):
    channel, key = live_channel(world)
    incident = _report(world, channel, "credentials_to_third_party")
    ops.confirm(world.operator, incident.id)
    assert incident.status == "terminated" and not _ok(client, key, STANDARD)
    assert {k.status for k in channel.keys} <= {KeyStatus.revoked, KeyStatus.expired}
    exit_ = db.session.scalar(sa.select(Exit).where(Exit.channel_id == channel.id))
    assert (exit_.kind, exit_.cause, exit_.status) == ("forced", "level3_incident", "transition")


def test_c5_5_regrading_needs_a_reason_and_dismissal_too(world):
    channel, _key = live_channel(world)
    incident = _report(world, channel)
    with pytest.raises(RuleViolation):
        ops.confirm(world.operator, incident.id, "general_leak", "")
    ops.confirm(world.operator, incident.id, "general_leak", "实际涉及数据泄露")
    assert incident.level == 2 and incident.decision_note == "实际涉及数据泄露"
    other = _report(world, channel)
    with pytest.raises(RuleViolation):
        ops.dismiss(world.operator, other.id, "")
    ops.dismiss(world.operator, other.id, "误报")
    assert other.status == "dismissed"


def test_c5_5_an_overdue_rectification_is_escalated_to_the_operator_and_the_national_center(world):
    channel, _key = live_channel(world)
    incident = _report(world, channel)
    ops.confirm(world.operator, incident.id, services=["qr_login"])
    assert ops.escalate_overdue(incident.rectification_due) == 0
    assert ops.escalate_overdue(incident.rectification_due + timedelta(days=1)) == 1
    assert ops.escalate_overdue(incident.rectification_due + timedelta(days=2)) == 0
    told = db.session.scalars(
        sa.select(Message).where(Message.user_id == world.national.id, Message.subject.contains("逾期"))
    ).all()
    assert told


def test_c4_11_renewal_waits_for_rectification_observation_and_national_approval(world):
    channel, _key = live_channel(world)
    incident = _report(world, channel)
    ops.confirm(world.operator, incident.id, services=["qr_login"])
    end = db.session.scalar(
        sa.select(sa.func.max(renewal.Agreement.term_end)).where(renewal.Agreement.channel_id == channel.id)
    )
    assert "尚未整改完成" in renewal.renewal_blocker(channel, None, end)
    report = ops.file_rectification(world.company_a, incident.id, "整改")
    ops.decide_rectification(world.operator, report.id, True, "")
    ops.restore(world.operator, incident.id)
    assert "考察期" in renewal.renewal_blocker(channel, None, today())
    after = incident.observation_until + timedelta(days=1)
    assert "待部信息中心同意" in renewal.renewal_blocker(channel, None, after)
    with pytest.raises(Conflict):
        ops.approve_renewal(world.national, incident.id)  # the observation period is still running today
    incident.observation_until = today() - timedelta(days=1)
    ops.approve_renewal(world.national, incident.id)
    assert renewal.renewal_blocker(channel, None, after) is None


def test_c3_5_a_level2_incident_is_messaged_to_and_shown_for_the_level1_owner(world):
    from tests.monitoring.test_evaluation import BANK, live

    parent = live(world, **BANK)
    from app.modules.key_issuance.operations import complete_test_intake
    from tests.applications.test_level2 import level2_data
    from tests.key_issuance.test_issue import approved_application

    child = complete_test_intake(world.operator, approved_application(world, **level2_data(parent)).id)[0].channel
    incident = ops.report_incident(
        world.company_a, child.id, {"incident_type": "page_tampering", "discovered_at": utcnow(), "description": "x"}
    )
    assert ops.get_incident(world.company_a, incident.id) is incident
    assert incident in db.session.scalars(ops.visible_incidents(world.company_a)).all()


def test_c3_5_the_level1_channel_page_shows_its_level2_channels_incidents(world, client):
    from app.modules.key_issuance.operations import complete_test_intake
    from tests.applications.test_level2 import level2_data
    from tests.conftest import login
    from tests.key_issuance.test_issue import approved_application
    from tests.monitoring.test_evaluation import BANK, live

    parent = live(world, **BANK)
    child = complete_test_intake(world.operator, approved_application(world, **level2_data(parent)).id)[0].channel
    incident = ops.report_incident(
        world.company_a, child.id, {"incident_type": "page_tampering", "discovered_at": utcnow(), "description": "x"}
    )
    login(client, "operator")
    assert incident.number in client.get(f"/channels/{parent.id}").text


def test_c5_6_a_burst_of_out_of_scope_requests_opens_one_candidate(world, client, app):
    _channel, key = live_channel(world)
    app.config["ANOMALY_THRESHOLD"] = 3
    try:
        for _ in range(4):
            call(client, "GET", "/api/v1/channel/services/local_services", key.key.key_id, key.secret)
    finally:
        app.config["ANOMALY_THRESHOLD"] = 20
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GatewayRefusal)) == 4
    [candidate] = db.session.scalars(sa.select(Incident).where(Incident.source == "anomaly")).all()
    assert (candidate.status, candidate.incident_type, candidate.anomaly["count"]) == (
        "candidate",
        "unauthorized_access",
        3,
    )
    ops.dismiss(world.operator, candidate.id, "联调测试流量")
    assert candidate.status == "dismissed"
