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

from app.core import deletion
from app.core.audit import AuditEntry
from app.core.deletion import STEPS, channel_objects, delete_rows, register_objects
from app.core.errors import Conflict
from app.core.storage import storage
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.applications.deletion import own_applications
from app.modules.applications.models import ApplicationRow
from app.modules.exits.models import DeletionCertificate, Exit, ExitStatus
from app.modules.messaging.models import Delivery, Message


def _scope(cid: int) -> dict:
    """What the deletion covers, fixed before the first step (later steps remove what identifies it): the channel's
    own applications, and every record the messages and the audit trail may point at (the domains register theirs)."""
    apps = list(db.session.scalars(own_applications(cid)))
    shared = db.session.scalars(sa.select(ApplicationRow.application_id).where(ApplicationRow.channel_id == cid))
    pairs = [["channel", str(cid)]] + [["application", str(i)] for i in sorted(set(apps) | set(shared))]
    return {"applications": apps, "objects": pairs + channel_objects(cid)}


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
    deliveries = delete_rows(Delivery, Delivery.message_id.in_(message_ids)) if message_ids else 0
    messages = delete_rows(Message, Message.id.in_(message_ids)) if message_ids else 0
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


def _run_step(name: str, cid: int, scope: dict) -> dict:
    """The registered parts of a step (`app.core.deletion`); the last step, messages and audit, is the exits
    domain's own."""
    if name == "messages_and_audit":
        return _step_messages_and_audit(cid, scope["objects"])
    counts = deletion.run_step(name, cid, scope)
    if name == "files":  # the certificate says where the files were removed from (a folder or the object store)
        store = storage()
        counts["removed_from"] = {"storage": store.kind, "location": store.location("uploads")}
    return counts


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


register_objects("channel_exit", lambda cid: list(db.session.scalars(sa.select(Exit.id).where(Exit.channel_id == cid))))
