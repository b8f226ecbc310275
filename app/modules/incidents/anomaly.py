"""The anomaly watch (C5.6): the gateway check records every refused signed request that names a known key, by cause;
a burst of out-of-scope requests (越权访问), bad signatures or requests from a suspended channel above
ANOMALY_THRESHOLD within ANOMALY_WINDOW_MINUTES opens a candidate incident for the operator to triage (confirm,
re-grade, dismiss with a reason) — one open candidate per channel and cause."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.channels.models import Channel
from app.modules.gateway.check import register_refusal_watcher
from app.modules.incidents.catalogue import WATCHED_REFUSALS
from app.modules.incidents.models import GatewayRefusal, Incident, IncidentStatus
from app.modules.incidents.operations import _context, _new_incident
from app.modules.key_issuance.models import ChannelKey
from app.modules.messaging.operations import send_to_operators


def watch_refusal(key_id: str, code: str, path: str) -> Incident | None:
    """Record the refusal in its own commit (the request itself fails) and open a candidate when a burst is seen."""
    if code not in WATCHED_REFUSALS:
        return None
    channel_id = db.session.scalar(sa.select(ChannelKey.channel_id).where(ChannelKey.key_id == key_id))
    if channel_id is None:
        return None
    db.session.add(GatewayRefusal(channel_id=channel_id, key_id=key_id, code=code, path=path[:200]))
    db.session.flush()
    incident = _candidate(channel_id, code)
    db.session.commit()
    return incident


def _candidate(channel_id: int, code: str) -> Incident | None:
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["ANOMALY_WINDOW_MINUTES"])
    count = db.session.scalar(
        sa.select(sa.func.count()).where(
            GatewayRefusal.channel_id == channel_id, GatewayRefusal.code == code, GatewayRefusal.at >= since
        )
    )
    if count < config["ANOMALY_THRESHOLD"]:
        return None
    open_candidates = db.session.scalars(
        sa.select(Incident).where(
            Incident.channel_id == channel_id, Incident.source == "anomaly", Incident.status == IncidentStatus.candidate
        )
    ).all()
    if any((i.anomaly or {}).get("code") == code for i in open_candidates):
        return None
    channel = db.session.get(Channel, channel_id)
    data = {
        "incident_type": WATCHED_REFUSALS[code],
        "discovered_at": utcnow(),
        "description": f"网关在 {config['ANOMALY_WINDOW_MINUTES']} 分钟内拒绝了 {count} 次请求（{code}），"
        "疑似异常行为（C5.6）",
        "anomaly": {"code": code, "count": count, "window_minutes": config["ANOMALY_WINDOW_MINUTES"]},
    }
    incident = _new_incident(channel, None, data, "anomaly")
    send_to_operators("incident.candidate", _context(incident), incident)
    return incident


register_refusal_watcher(watch_refusal)
