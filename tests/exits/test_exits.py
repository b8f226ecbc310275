"""Exits (C6.1–C6.6) and data deletion (C6.5): a voluntary and a forced exit each run to completion with the
transition, notices and deletion certificate, and afterwards no row or file of the channel's original data remains —
checked by scanning every table that points at the channel and the upload storage. Deletion is idempotent, resumes
after a crash, and is refused before the exit is complete."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import deletion as parts
from app.core.audit import AuditEntry, verify_chain
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.storage import storage
from app.core.timeutil import today, utcnow
from app.extensions import db
from app.modules.agreements.rules import add_months
from app.modules.exits import deletion
from app.modules.exits import operations as ops
from app.modules.exits.models import DeletionCertificate
from app.modules.messaging.models import Message
from app.modules.monitoring.models import MonthlyStatistic
from app.modules.work_orders import operations as work_orders
from tests.conftest import PDF, login, stored_files
from tests.gateway.test_gateway import call
from tests.journeys import live_channel
from tests.monitoring.test_evaluation import report

LATER = lambda months=3: add_months(today(), months)  # noqa: E731


def _with_data(world, channel):
    """Figures, a work order, an incident with evidence: original data the exit must delete."""
    from app.modules.incidents import operations as incidents

    channel.live_since = today() - timedelta(days=400)
    db.session.commit()
    report(channel, add_months(today().replace(day=1), -2).strftime("%Y-%m"), [(100, 100, 50)])
    work_orders.file_work_order(world.company_a, channel.id, "用户问题", "说明")
    incident = incidents.report_incident(
        world.company_a,
        channel.id,
        {"incident_type": "page_tampering", "discovered_at": utcnow(), "description": "篡改"},
    )
    incidents.add_evidence(world.company_a, incident.id, io.BytesIO(PDF), "证据.pdf")


def _uploads(app) -> set[str]:
    return stored_files()


def _remaining(channel_id: int) -> dict[str, int]:
    """Rows that still point at the channel, in every table with a channel_id column (the kept ones excepted)."""
    kept = {"channel_key", "incident", "agreement", "channel_exit", "deletion_certificate", "key_event"}
    found = {}
    for table in db.metadata.sorted_tables:
        if "channel_id" in table.c and table.name not in kept:
            n = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.channel_id == channel_id))
            if n:
                found[table.name] = n
    return found


def test_c6_1_a_voluntary_exit_is_applied_for_two_months_ahead_with_a_reason_during_the_term(world):
    channel, _key = live_channel(world)
    with pytest.raises(RuleViolation) as exc:
        ops.apply_exit(world.company_a, channel.id, today() + timedelta(days=30), "业务调整")
    assert exc.value.code == "C6.1"
    with pytest.raises(RuleViolation):
        ops.apply_exit(world.company_a, channel.id, LATER(), "")  # during the agreement term: a special reason
    with pytest.raises(NotFound):
        ops.apply_exit(world.company_b, channel.id, LATER(), "别人的渠道")


def test_c6_6_a_level2_exit_is_filed_by_its_level1_owner_only(world):
    from app.modules.key_issuance.operations import complete_test_intake
    from tests.applications.test_level2 import level2_data
    from tests.key_issuance.test_issue import approved_application
    from tests.monitoring.test_evaluation import BANK, live

    parent = live(world, **BANK)
    child = complete_test_intake(world.operator, approved_application(world, **level2_data(parent)).id)[0].channel
    assert ops.filing_refusal(world.company_a, child) is None
    child.owner_id = world.org_b.id  # as if a different subject owned it
    db.session.commit()
    refusal = ops.filing_refusal(world.company_b, child)
    assert isinstance(refusal, Forbidden) and refusal.code == "C6.6"


def test_c6_2_c6_3_c6_5_a_voluntary_exit_runs_to_completion_and_nothing_of_the_channel_remains(world, app, client):
    channel, key = live_channel(world)
    _with_data(world, channel)
    assert _uploads(app)
    exit_ = ops.apply_exit(world.company_a, channel.id, LATER(), "业务整合，停止运营该渠道")
    with pytest.raises(Conflict):
        ops.national_decide(world.national, exit_.id, True, "")  # the provincial opinion first (C6.2)
    ops.give_opinion(world.shandong, exit_.id, True, "同意")
    ops.national_decide(world.national, exit_.id, True, "同意退出")
    with pytest.raises(Conflict):
        deletion.delete_channel_data(exit_)  # not before the exit is complete
    ops.notify(world.operator, exit_.id)
    assert exit_.status == "transition" and channel.status == "exiting"
    assert exit_.transition_end == LATER()  # approved early: the transition runs to the requested date (C6.1)
    services = "/api/v1/channel/services/standard"
    during = call(client, "GET", services, key.key.key_id, key.secret)
    assert during.status_code == 200, during.json  # C6.3: users still served while pointed to other channels
    ops.confirm_push_notice(world.company_a, exit_.id)
    with pytest.raises(RuleViolation) as exc:
        ops.record_announcement(
            world.company_a, exit_.id, "https://example.cn/notice", today(), today() + timedelta(days=10)
        )
    assert exc.value.code == "C6.3"
    ops.record_announcement(
        world.company_a, exit_.id, "https://example.cn/notice", today(), today() + timedelta(days=20)
    )
    assert ops.complete_due(exit_.transition_end - timedelta(days=1)) == []
    assert ops.complete_due(exit_.transition_end) == [exit_.id]
    assert exit_.status == "completed" and channel.status == "exited"
    assert call(client, "GET", "/api/v1/channel/services/standard", key.key.key_id, key.secret).status_code != 200
    certificate = db.session.scalar(sa.select(DeletionCertificate).where(DeletionCertificate.channel_id == channel.id))
    assert certificate.completed_at is not None and len(certificate.sha256) == 64
    assert (
        certificate.steps["operations"]["monthly_statistics"] == 1
        and certificate.steps["files"]["incident_evidence_files"] == 1
    )
    assert _remaining(channel.id) == {}
    assert _uploads(app) == set()  # every upload of the channel is gone (it was the only channel with files)
    assert all(k.secret_ciphertext == b"" for k in channel.keys)
    assert channel.contact_name == "" and channel.channel_number  # the minimal record stays
    redacted = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "channel", AuditEntry.object_id == str(channel.id))
    ).all()
    assert redacted and all(e.redacted_at is not None and e.after is None for e in redacted)
    assert verify_chain().first_bad is None  # the audit chain still verifies
    assert not world.company_a.active  # the organisation has no channel left: its portal access is closed
    assert ops.complete_due(exit_.transition_end) == []
    assert deletion.delete_channel_data(exit_).id == certificate.id  # idempotent
    login(client, "operator")  # the certificate reads as a document: what kinds of data, how many, under whose decision
    page = client.get(f"/exits/{exit_.id}").text
    document = page[page.index('id="certificate"') :]
    assert "自愿退出，经部信息中心批准" in document and "上传的文件" in document
    files = sum(n for n in certificate.steps["files"].values() if isinstance(n, int))
    assert re.search(rf"上传的文件[^<]*</td><td>{files}</td>", document)
    where = storage().location("uploads")  # C6.5: the certificate says where the files were removed from
    assert certificate.steps["files"]["removed_from"] == {"storage": storage().kind, "location": where}
    kind = {"local": "平台服务器的本地存储", "s3": "平台的对象存储"}[storage().kind]
    assert "文件删除位置" in document and f"{kind}（{where}）" in document  # the operator sees the folder or bucket
    client.post("/logout")
    login(client, "auditor")
    reader = client.get(f"/exits/{exit_.id}").text
    assert kind in reader and where not in reader  # whoever does not run the platform: the kind of storage only


def test_c6_1_c6_2_the_transition_never_ends_before_the_requested_date(world):
    """Notified two months ahead, the transition lasts to the requested date; notified late, one month from the
    notice (the requested date has then passed, the C6.2 month is still owed to the users)."""
    assert ops.transition_end(today(), LATER(3)) == LATER(3)
    assert ops.transition_end(today(), today() - timedelta(days=3)) == LATER(1)
    assert ops.transition_end(today(), None) == LATER(1)  # a forced exit: one month (C6.4)


def test_c6_2_c6_3_interfaces_stay_open_in_the_transition_and_close_at_its_end(world, client):
    """A live channel in a forced exit's transition still answers its users; the anomaly watch sees no refusal; at the
    end of the transition the key is refused."""
    from app.modules.incidents.models import GatewayRefusal

    channel, key = live_channel(world)
    forced = ops.open_forced_exit(world.operator, channel.id, "reputation_damage", "冒用电子社保卡名义收费")
    assert channel.status == "exiting" and channel.serving_in_transition
    services = "/api/v1/channel/services/standard"
    assert call(client, "GET", services, key.key.key_id, key.secret).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GatewayRefusal)) == 0
    ops.complete_due(forced.transition_end)
    closed = call(client, "GET", services, key.key.key_id, key.secret)
    assert closed.status_code in (401, 403) and not channel.serving_in_transition  # revoked, its secret deleted


def test_c6_2_a_channel_suspended_when_its_exit_began_stays_closed(world, client):
    from app.modules.security_tests import operations as security_tests

    channel, key = live_channel(world)
    check = security_tests.order_spot_check(world.operator, channel, "复测", is_retest=True)
    security_tests.record_spot_check(world.operator, check, "fail", "仍有高危漏洞")
    ops.open_forced_exit(world.operator, channel.id, "security_report_overdue", "逾期未提交合格报告")
    assert channel.status == "exiting" and not channel.serving_in_transition
    refused = call(client, "GET", "/api/v1/channel/services/standard", key.key.key_id, key.secret)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "channel_not_live"


def test_c6_4_a_forced_exit_needs_a_cause_and_evidence_and_runs_to_completion(world, app):
    channel, _key = live_channel(world)
    with pytest.raises(RuleViolation):
        ops.open_forced_exit(world.operator, channel.id, "no_such_cause", "证据")
    with pytest.raises(RuleViolation):
        ops.open_forced_exit(world.operator, channel.id, "reputation_damage", "")
    exit_ = ops.open_forced_exit(world.operator, channel.id, "reputation_damage", "多家媒体报道其冒用名义收费")
    assert (exit_.status, exit_.cause) == ("transition", "reputation_damage")
    told = db.session.scalars(
        sa.select(Message).where(Message.organisation_id == world.org_a.id, Message.subject.contains("退出过渡期"))
    ).all()
    assert told
    assert ops.complete_due(exit_.transition_end) == [exit_.id]
    assert _remaining(channel.id) == {} and channel.status == "exited"


def test_c6_4_the_system_opens_forced_exits_for_an_agreement_not_renewed(world):
    channel, _key = live_channel(world)
    channel.forced_exit_cause = "agreement_not_renewed"
    db.session.commit()
    assert ops.open_due_forced_exits(today()) == 1
    assert ops.open_due_forced_exits(today()) == 0  # once
    assert ops.open_exit(channel).cause == "agreement_not_renewed"


def test_c6_5_a_deletion_interrupted_by_a_crash_is_finished_by_the_next_run(world, monkeypatch):
    channel, _key = live_channel(world)
    _with_data(world, channel)
    exit_ = ops.open_forced_exit(world.operator, channel.id, "reputation_damage", "证据")
    original = parts.run_step

    def crash(step, cid, scope):
        if step == "operations":
            raise RuntimeError("power cut")
        return original(step, cid, scope)

    monkeypatch.setattr(parts, "run_step", crash)
    with pytest.raises(RuntimeError):
        ops.complete_due(exit_.transition_end)
    db.session.rollback()
    certificate = db.session.scalar(sa.select(DeletionCertificate).where(DeletionCertificate.channel_id == channel.id))
    assert certificate.completed_at is None and set(certificate.steps) == {"scope", "files", "application_contents"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyStatistic)) == 1
    monkeypatch.setattr(parts, "run_step", original)
    assert deletion.resume_unfinished() == 1
    db.session.refresh(certificate)
    assert certificate.completed_at is not None and _remaining(channel.id) == {}
