"""E-mail and SMS delivery of messages (S1). Without a mail server or SMS gateway (development) both are written to the
storage's outbox (var/outbox, or the object store: e-mail as one .eml file each, SMS as one .txt file each); in
production e-mail goes through SMTP (MAIL_SMTP_HOST) and SMS through the gateway
(SMS_GATEWAY_URL, JSON POST). Each delivery is its own transaction; a failure is recorded and retried with back-off
(1, 5, 30, 120 minutes) and marked failed after DELIVERY_MAX_ATTEMPTS — visible to the operator, never raised."""

import json
import secrets
import smtplib
import urllib.request
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from app.core.metrics import DELIVERIES, register_gauge
from app.core.storage import storage
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.messaging.models import Delivery

BACKOFF_MINUTES = (1, 5, 30, 120)
CLAIM_MINUTES = 5  # a claimed copy is not taken by another worker for this long (longer than any gateway's timeout)


def _to_outbox(prefix: str, suffix: str, data: bytes, content_type: str) -> None:
    name = f"{prefix}-{utcnow():%Y%m%d%H%M%S%f}-{secrets.token_hex(4)}.{suffix}"
    storage().put_bytes("outbox", name, data, content_type)


def send_email(address: str, sender_unit: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = f"{sender_unit} <{current_app.config['MAIL_FROM']}>"
    message["To"], message["Subject"] = address, subject
    message.set_content(f"{body}\n\n—— {sender_unit}")
    host = current_app.config["MAIL_SMTP_HOST"]
    if not host:
        _to_outbox("mail", "eml", bytes(message), "message/rfc822")
        return
    with smtplib.SMTP(host, current_app.config["MAIL_SMTP_PORT"], timeout=10) as smtp:
        smtp.send_message(message)


def send_sms(phone: str, sender_unit: str, subject: str) -> None:
    text = f"【{sender_unit}】{subject}，详情请登录渠道门户查看。"
    url = current_app.config["SMS_GATEWAY_URL"]
    if not url:
        line = f"{utcnow():%Y-%m-%d %H:%M:%S}\t{phone}\t{text}\n"
        _to_outbox("sms", "txt", line.encode(), "text/plain; charset=utf-8")
        return
    request = urllib.request.Request(  # noqa: S310  (a configured https URL of the SMS gateway)
        url, data=json.dumps({"phone": phone, "text": text}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"SMS gateway answered {response.status}")


def _attempt(delivery: Delivery) -> None:
    message = delivery.message
    if delivery.channel == "email":
        send_email(delivery.address, message.sender_unit, message.subject, message.body)
    else:
        send_sms(delivery.address, message.sender_unit, message.subject)


def deliver_pending(limit: int = 200) -> dict:
    """Try every due delivery once; returns counts. Safe to run at any time and from several processes: a delivery
    is claimed by a conditional update that also moves its next attempt CLAIM_MINUTES ahead, so no other worker
    takes it while it is being sent (a worker that dies mid-send leaves it to be retried after that)."""
    now = utcnow()
    due = db.session.scalars(
        sa.select(Delivery.id)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.id)
        .limit(limit)
    ).all()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for delivery_id in due:
        outcome = _deliver_one(delivery_id)
        if outcome is not None:  # None: another worker claimed it first
            counts[outcome] += 1
    return counts


def copies(status: str) -> int:
    """How many copies are in `status` now (the delivery metrics read it at each scrape)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status == status))


register_gauge("essc_delivery_queue_depth", "E-mail and SMS copies waiting to be sent (S1)", lambda: copies("pending"))
register_gauge("essc_delivery_failed", "Copies given up after DELIVERY_MAX_ATTEMPTS (S1)", lambda: copies("failed"))


def _claim(delivery_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .values(attempts=Delivery.attempts + 1, next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
    )
    db.session.commit()
    return claimed.rowcount == 1


def _deliver_one(delivery_id: int) -> str | None:
    if not _claim(delivery_id):
        return None
    delivery = db.session.get(Delivery, delivery_id)
    db.session.refresh(delivery)
    try:
        _attempt(delivery)
    except Exception as exc:  # any gateway error: record it, never raise
        return _failed(delivery, exc)
    delivery.status, delivery.sent_at, delivery.last_error = "sent", utcnow(), ""
    db.session.commit()
    DELIVERIES.labels(channel=delivery.channel, outcome="sent").inc()
    return "sent"


def _failed(delivery: Delivery, exc: Exception) -> str:
    delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if delivery.attempts >= current_app.config["DELIVERY_MAX_ATTEMPTS"]:
        delivery.status = "failed"
    else:
        wait = BACKOFF_MINUTES[min(delivery.attempts, len(BACKOFF_MINUTES)) - 1]
        delivery.next_attempt_at = utcnow() + timedelta(minutes=wait)
    db.session.commit()
    current_app.logger.warning("delivery %s (%s) failed: %s", delivery.id, delivery.channel, delivery.last_error)
    outcome = "failed" if delivery.status == "failed" else "retry"
    DELIVERIES.labels(channel=delivery.channel, outcome=outcome).inc()
    return outcome


def retry(delivery_id: int) -> Delivery:
    """The operator retries a failed or waiting delivery now."""
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is not None and delivery.status != "sent":
        delivery.status, delivery.next_attempt_at = "pending", utcnow()
        db.session.commit()
        _deliver_one(delivery.id)
    return delivery
