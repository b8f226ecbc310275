"""Branches of the incident workflow no other test reached (issue 14 item 6): an incident the operator records itself,
from recording to confirmation; and every refusal of the rectification guards (C5.5)."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.incidents import operations as ops
from app.modules.messaging.models import Message
from tests.conftest import PDF
from tests.incidents.test_incidents import STANDARD, _ok, _report
from tests.journeys import live_channel

DETECTED = {"incident_type": "general_leak", "description": "监测发现接口返回超范围数据"}


def _detected(**overrides) -> dict:
    return DETECTED | {"discovered_at": utcnow() - timedelta(hours=2)} | overrides


def test_c5_5_the_operator_records_an_incident_it_detected_and_confirms_it(world, client):
    channel, key = live_channel(world)
    incident = ops.record_incident(world.operator, channel.id, _detected())
    assert (incident.source, incident.status, incident.level) == ("operator", "reported", 2)
    assert _ok(client, key, STANDARD)  # nothing applies before confirmation
    for user in (world.national, world.company_a):
        told = sa.select(Message).where(Message.subject.contains(incident.number))
        told = (
            told.where(Message.user_id == user.id)
            if user is world.national
            else told.where(Message.organisation_id == world.org_a.id)
        )
        assert db.session.scalars(told).first() is not None, user.username
    ops.confirm(world.operator, incident.id)
    assert channel.status == "suspended" and not _ok(client, key, STANDARD)


def test_c5_5_only_the_operator_records_and_only_for_a_channel_that_exists(world):
    channel, _key = live_channel(world)
    with pytest.raises(Forbidden):
        ops.record_incident(world.national, channel.id, _detected())
    with pytest.raises(NotFound):
        ops.record_incident(world.operator, 2**31 - 1, _detected())
    with pytest.raises(RuleViolation):
        ops.record_incident(world.operator, channel.id, _detected(description=" "))
    with pytest.raises(RuleViolation):
        ops.record_incident(world.operator, channel.id, _detected(discovered_at=utcnow() + timedelta(days=1)))


def test_c5_5_the_rectification_guards_refuse_what_does_not_fit(world):
    channel, _key = live_channel(world)
    incident = _report(world, channel)
    with pytest.raises(Conflict) as early:  # not confirmed yet: nothing to rectify
        ops.file_rectification(world.company_a, incident.id, "已整改")
    assert early.value.code == "not_rectifying"
    ops.confirm(world.operator, incident.id, services=["qr_login"])
    with pytest.raises(Forbidden):
        ops.file_rectification(world.operator, incident.id, "运营机构不能代报")
    with pytest.raises(RuleViolation):
        ops.file_rectification(world.company_a, incident.id, "  ")
    report = ops.file_rectification(world.company_a, incident.id, "已修复")
    with pytest.raises(Conflict) as twice:
        ops.file_rectification(world.company_a, incident.id, "再报一次")
    assert twice.value.code == "pending_exists"
    with pytest.raises(RuleViolation):
        ops.decide_rectification(world.operator, report.id, False, "")  # a rejection gives its reasons
    with pytest.raises(NotFound):
        ops.decide_rectification(world.operator, 2**31 - 1, True, "")
    with pytest.raises(Forbidden):
        ops.decide_rectification(world.company_a, report.id, True, "")
    ops.decide_rectification(world.operator, report.id, False, "未提供加固证明")
    with pytest.raises(Conflict) as decided:
        ops.decide_rectification(world.operator, report.id, True, "")
    assert decided.value.code == "already_decided"
    with pytest.raises(Conflict):
        ops.restore(world.operator, incident.id)  # a rejected report restores nothing
    assert incident.status == "rectifying"


def test_c5_5_who_reports_adds_evidence_decides_and_approves(world):
    channel, _key = live_channel(world)
    with pytest.raises(NotFound):  # the operator records (record_incident); it does not report as a channel
        ops.report_incident(world.operator, channel.id, _detected())
    incident = _report(world, channel)
    with pytest.raises(Forbidden):
        ops.add_evidence(world.national, incident.id, io.BytesIO(PDF), "证据.pdf")
    with pytest.raises(Forbidden):
        ops.approve_renewal(world.operator, incident.id)
    ops.confirm(world.operator, incident.id, services=["qr_login"])
    for decide in (
        lambda: ops.confirm(world.operator, incident.id),
        lambda: ops.dismiss(world.operator, incident.id, "误报"),
    ):
        with pytest.raises(Conflict) as exc:
            decide()
        assert exc.value.code == "already_decided"
    assert incident.status == "rectifying" and not incident.evidence


def _rectified(world, incident):
    report = ops.file_rectification(world.company_a, incident.id, "已修复并加固")
    ops.decide_rectification(world.operator, report.id, True, "核验通过")
    return ops.restore(world.operator, incident.id)


def test_c5_5_two_level2_incidents_hold_the_channel_until_both_are_rectified(world, client):
    channel, key = live_channel(world)
    first = _report(world, channel, "unauthorized_access")
    second = _report(world, channel, "general_leak")
    ops.confirm(world.operator, first.id)
    ops.confirm(world.operator, second.id)  # already suspended: stays so, keys already held
    assert channel.status == "suspended" and key.key.status == "suspended"
    _rectified(world, first)
    assert channel.status == "suspended" and not _ok(client, key, STANDARD)  # the second still holds it
    _rectified(world, second)
    assert channel.status == "live" and key.key.status == "active" and _ok(client, key, STANDARD)
