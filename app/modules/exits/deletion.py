"""Deletion of an exited channel's data (C6.5), idempotent and resumable, with a deletion certificate.

Every original record of the cooperation goes — uploads (attachments, recordings, security reports, incident
evidence, issued PDFs: rows and files), statistics and monitoring records, contacts and their history, application
contents, work orders, promotions, notices, key material — and what remains is the minimal record: the channel row
(number, name, dates, status `exited`), the application and exit shells with the decisions and their dates (review
steps without names, phones or opinions; incidents without descriptions), key records without secrets, and the audit
trail with its personal details redacted (the hash chain stays verifiable).

Each step runs in its own transaction and is recorded in the certificate when done, so a crash leaves the certificate
`completed_at IS NULL` and the next run carries on with the steps left; files are removed before their rows, so a
crash in between leaves rows whose files are already gone, which the next run deletes."""

import hashlib
import json

import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.timeutil import utcnow
from app.core.uploads import remove_upload
from app.extensions import db
from app.modules.agreements.models import Agreement, AgreementRenewal
from app.modules.applications.models import (
    Application,
    ApplicationRound,
    ApplicationRow,
    Attachment,
    Level2Supplement,
    RowRegion,
    RowService,
    SocialSupplement,
)
from app.modules.channels.models import Channel, ContactChange, channel_region, channel_service
from app.modules.documents.models import Document
from app.modules.exits.models import DeletionCertificate, Exit, ExitStatus
from app.modules.incidents.models import GatewayRefusal, Incident, IncidentEvidence, Rectification, ServiceSuspension
from app.modules.key_issuance.models import ChannelKey, GatewayNonce
from app.modules.messaging.models import Delivery, Message
from app.modules.monitoring.models import (
    ImprovementPlan,
    MissingReport,
    MonitoringEvent,
    MonitoringRecord,
    MonthlyStatistic,
)
from app.modules.notices.models import ChannelNotice, NoticeRecipient
from app.modules.production.models import Recording, RecordingCheck
from app.modules.promotions.models import Promotion
from app.modules.reviews.models import ReviewStep
from app.modules.security_tests.models import ReportNotice, SecurityReport, SpotCheck
from app.modules.work_orders.models import WorkOrder, WorkOrderEntry


def own_applications(channel_id: int):
    """Applications whose every row is this channel's (their contents go; a shared Form 1 keeps the others' rows)."""
    others = sa.exists().where(ApplicationRow.application_id == Application.id, ApplicationRow.channel_id != channel_id)
    mine = sa.exists().where(ApplicationRow.application_id == Application.id, ApplicationRow.channel_id == channel_id)
    return sa.select(Application.id).where(mine, ~others)


def _delete_files(model, where) -> int:
    names = list(db.session.scalars(sa.select(model.stored_name).where(where)))
    for name in names:
        remove_upload(name)
    return len(names)


def _rows(model, where) -> int:
    return db.session.execute(sa.delete(model).where(where)).rowcount


def _step_files(cid: int, apps: list[int]) -> dict:
    reports = sa.select(SecurityReport.id).where(SecurityReport.channel_id == cid)
    incidents = sa.select(Incident.id).where(Incident.channel_id == cid)
    counts = {
        "attachment_files": _delete_files(Attachment, Attachment.application_id.in_(apps)),
        "recording_files": _delete_files(Recording, Recording.application_id.in_(apps)),
        "security_report_files": _delete_files(SecurityReport, SecurityReport.id.in_(reports)),
        "incident_evidence_files": _delete_files(IncidentEvidence, IncidentEvidence.incident_id.in_(incidents)),
        "document_files": _delete_files(Document, Document.application_id.in_(apps)),
    }
    return counts


def _step_application_contents(cid: int, apps: list[int]) -> dict:
    rows = sa.select(ApplicationRow.id).where(ApplicationRow.channel_id == cid)
    recordings = sa.select(Recording.id).where(Recording.application_id.in_(apps))
    counts = {
        "recording_checks": _rows(RecordingCheck, RecordingCheck.recording_id.in_(recordings)),
        "recordings": _rows(Recording, Recording.application_id.in_(apps)),
        "attachments": _rows(Attachment, Attachment.application_id.in_(apps)),
        "documents": _rows(Document, Document.application_id.in_(apps)),
        "social_supplements": _rows(SocialSupplement, SocialSupplement.application_id.in_(apps)),
        "level2_supplements": _rows(Level2Supplement, Level2Supplement.application_id.in_(apps)),
        "row_regions": _rows(RowRegion, RowRegion.row_id.in_(rows)),
        "row_services": _rows(RowService, RowService.row_id.in_(rows)),
        "application_rows": _rows(ApplicationRow, ApplicationRow.channel_id == cid),
    }
    counts["round_contents"] = db.session.execute(
        sa.update(ApplicationRound).where(ApplicationRound.application_id.in_(apps)).values(content={}, reasons="")
    ).rowcount
    db.session.execute(
        sa.update(Application)
        .where(Application.id.in_(apps))
        .values(contact_name="", contact_phone="", contact_email="", security_report_id=None)
    )
    counts["review_step_personal_details"] = db.session.execute(
        sa.update(ReviewStep)
        .where(ReviewStep.application_id.in_(apps))
        .values(opinion="", reviewer_name="", contact="", phone="")
    ).rowcount
    return counts


def _step_operations(cid: int) -> dict:
    reports = sa.select(SecurityReport.id).where(SecurityReport.channel_id == cid)
    # a report may have been reused by another channel's production intake (C5.3): that reference goes first
    db.session.execute(
        sa.update(Application).where(Application.security_report_id.in_(reports)).values(security_report_id=None)
    )
    incidents = sa.select(Incident.id).where(Incident.channel_id == cid)
    records = sa.select(MonitoringRecord.id).where(MonitoringRecord.channel_id == cid)
    orders = sa.select(WorkOrder.id).where(WorkOrder.channel_id == cid)
    return {
        "monthly_statistics": _rows(MonthlyStatistic, MonthlyStatistic.channel_id == cid),
        "monitoring_events": _rows(MonitoringEvent, MonitoringEvent.record_id.in_(records)),
        "monitoring_records": _rows(MonitoringRecord, MonitoringRecord.channel_id == cid),
        "missing_reports": _rows(MissingReport, MissingReport.channel_id == cid),
        "improvement_plans": _rows(ImprovementPlan, ImprovementPlan.channel_id == cid),
        "spot_checks": _rows(SpotCheck, SpotCheck.channel_id == cid),
        "report_notices": _rows(ReportNotice, ReportNotice.channel_id == cid),
        "security_reports": _rows(SecurityReport, SecurityReport.id.in_(reports)),
        "contact_changes": _rows(ContactChange, ContactChange.channel_id == cid),
        "work_order_entries": _rows(WorkOrderEntry, WorkOrderEntry.work_order_id.in_(orders)),
        "work_orders": _rows(WorkOrder, WorkOrder.channel_id == cid),
        "promotions": _rows(Promotion, Promotion.channel_id == cid),
        "channel_notices": _rows(ChannelNotice, ChannelNotice.channel_id == cid),
        "notice_recipients": _rows(NoticeRecipient, NoticeRecipient.channel_id == cid),
        "incident_evidence": _rows(IncidentEvidence, IncidentEvidence.incident_id.in_(incidents)),
        "rectifications": _rows(Rectification, Rectification.incident_id.in_(incidents)),
        "service_suspensions": _rows(ServiceSuspension, ServiceSuspension.channel_id == cid),
        "gateway_refusals": _rows(GatewayRefusal, GatewayRefusal.channel_id == cid),
        "agreement_renewals": _rows(AgreementRenewal, AgreementRenewal.channel_id == cid),
    }


def _step_channel(cid: int) -> dict:
    keys = sa.select(ChannelKey.key_id).where(ChannelKey.channel_id == cid)
    counts = {
        "gateway_nonces": _rows(GatewayNonce, GatewayNonce.key_id.in_(keys)),
        "key_material": db.session.execute(
            sa.update(ChannelKey)
            .where(ChannelKey.channel_id == cid, ChannelKey.secret_ciphertext != b"")
            .values(secret_ciphertext=b"", wrapped_data_key=b"")
        ).rowcount,
        "incident_details": db.session.execute(
            sa.update(Incident).where(Incident.channel_id == cid).values(description="", impact="", anomaly=None)
        ).rowcount,
        "agreement_signatures": db.session.execute(
            sa.update(Agreement).where(Agreement.channel_id == cid).values(signer_name="", countersigner_name="")
        ).rowcount,
        "granted_regions": db.session.execute(
            sa.delete(channel_region).where(channel_region.c.channel_id == cid)
        ).rowcount,
        "granted_services": db.session.execute(
            sa.delete(channel_service).where(channel_service.c.channel_id == cid)
        ).rowcount,
    }
    db.session.execute(
        sa.update(Channel).where(Channel.id == cid).values(contact_name="", contact_phone="", contact_email="")
    )
    counts["channel_contact"] = 1
    return counts


def _scope(cid: int) -> dict:
    """What the deletion covers, fixed before the first step (later steps remove what identifies it): the channel's
    own applications, and every record the messages and the audit trail may point at."""
    apps = list(db.session.scalars(own_applications(cid)))
    shared = db.session.scalars(sa.select(ApplicationRow.application_id).where(ApplicationRow.channel_id == cid))
    pairs = [["channel", str(cid)]] + [["application", str(i)] for i in sorted(set(apps) | set(shared))]
    for model, where in (
        (Incident, Incident.channel_id == cid),
        (Exit, Exit.channel_id == cid),
        (ChannelKey, ChannelKey.channel_id == cid),
    ):
        pairs += [[model.__tablename__, str(i)] for i in db.session.scalars(sa.select(model.id).where(where))]
    return {"applications": apps, "objects": pairs}


def _step_messages_and_audit(cid: int, objects: list) -> dict:
    types = {t for t, _ in objects}
    wanted = {tuple(pair) for pair in objects}
    message_ids = [
        m_id
        for m_id, t, o in db.session.execute(
            sa.select(Message.id, Message.object_type, Message.object_id).where(Message.object_type.in_(types))
        )
        if (t, o) in wanted
    ]
    deliveries = _rows(Delivery, Delivery.message_id.in_(message_ids)) if message_ids else 0
    messages = _rows(Message, Message.id.in_(message_ids)) if message_ids else 0
    entry_ids = [
        e_id
        for e_id, t, o in db.session.execute(
            sa.select(AuditEntry.id, AuditEntry.object_type, AuditEntry.object_id).where(
                AuditEntry.object_type.in_(types), AuditEntry.redacted_at.is_(None)
            )
        )
        if (t, o) in wanted
    ]
    if entry_ids:
        db.session.execute(
            sa.update(AuditEntry)
            .where(AuditEntry.id.in_(entry_ids))
            .values(actor_name="", ip=None, before=None, after=None, redacted_at=utcnow())
        )
    return {"messages": messages, "deliveries": deliveries, "audit_entries_redacted": len(entry_ids)}


STEPS = ("files", "application_contents", "operations", "channel", "messages_and_audit")


def _run_step(name: str, cid: int, scope: dict) -> dict:
    if name == "files":
        return _step_files(cid, scope["applications"])
    if name == "application_contents":
        return _step_application_contents(cid, scope["applications"])
    if name == "operations":
        return _step_operations(cid)
    if name == "channel":
        return _step_channel(cid)
    return _step_messages_and_audit(cid, scope["objects"])


def _certificate(exit_: Exit) -> DeletionCertificate:
    certificate = db.session.scalar(
        sa.select(DeletionCertificate).where(DeletionCertificate.channel_id == exit_.channel_id)
    )
    if certificate is None:
        certificate = DeletionCertificate(
            channel_id=exit_.channel_id, exit_id=exit_.id, steps={"scope": _scope(exit_.channel_id)}
        )
        db.session.add(certificate)
        db.session.commit()
    return certificate


def certificate_digest(certificate: DeletionCertificate, number: str) -> str:
    steps = {k: v for k, v in certificate.steps.items() if k != "scope"}
    body = {"channel": certificate.channel_id, "exit": number, "steps": steps}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def delete_channel_data(exit_: Exit) -> DeletionCertificate:
    """C6.5, only for a completed exit; each step commits with its counts, so a rerun resumes where it stopped."""
    from app.core.errors import Conflict

    if exit_.status != ExitStatus.completed:
        raise Conflict(
            "退出完成前不能删除数据（C6.5）", "Data is deleted only once the exit is complete (C6.5)", code="C6.5"
        )
    certificate = _certificate(exit_)
    cid = exit_.channel_id
    scope = certificate.steps["scope"]
    for name in STEPS:
        if name in certificate.steps:
            continue
        counts = _run_step(name, cid, scope)  # the audit triggers allow exactly the C6.5 redaction
        certificate.steps = dict(certificate.steps) | {name: counts}
        db.session.commit()
    if certificate.completed_at is None:
        certificate.completed_at = utcnow()
        certificate.sha256 = certificate_digest(certificate, exit_.number)
        db.session.commit()
    return certificate


def resume_unfinished() -> int:
    """The daily job: finish every deletion a crash interrupted — at any point: a completed exit whose deletion never
    started (the crash came between completion and the certificate), or a certificate not completed yet."""
    finished = sa.select(DeletionCertificate.id).where(
        DeletionCertificate.channel_id == Exit.channel_id, DeletionCertificate.completed_at.is_not(None)
    )
    unfinished = db.session.scalars(
        sa.select(Exit).where(Exit.status == ExitStatus.completed, ~sa.exists(finished)).order_by(Exit.id)
    ).all()
    for exit_ in unfinished:
        delete_channel_data(exit_)
    return len(unfinished)
