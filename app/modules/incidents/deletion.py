"""The incidents domain's parts of a channel's data deletion (C6.5): evidence (files, rows), rectifications,
suspensions and refusals; the incident shells stay without their descriptions."""

import sqlalchemy as sa

from app.core.deletion import delete_files, delete_rows, register_objects, register_part, update_rows
from app.extensions import db
from app.modules.incidents.models import GatewayRefusal, Incident, IncidentEvidence, Rectification, ServiceSuspension


def _incidents(cid: int):
    return sa.select(Incident.id).where(Incident.channel_id == cid)


def evidence_files(cid: int, scope: dict) -> dict:
    return {
        "incident_evidence_files": delete_files(IncidentEvidence, IncidentEvidence.incident_id.in_(_incidents(cid)))
    }


def records(cid: int, scope: dict) -> dict:
    return {
        "incident_evidence": delete_rows(IncidentEvidence, IncidentEvidence.incident_id.in_(_incidents(cid))),
        "rectifications": delete_rows(Rectification, Rectification.incident_id.in_(_incidents(cid))),
        "service_suspensions": delete_rows(ServiceSuspension, ServiceSuspension.channel_id == cid),
        "gateway_refusals": delete_rows(GatewayRefusal, GatewayRefusal.channel_id == cid),
    }


def details(cid: int, scope: dict) -> dict:
    blank = {"description": "", "impact": "", "anomaly": None}
    return {"incident_details": update_rows(Incident, Incident.channel_id == cid, **blank)}


register_part("files", 40, evidence_files)
register_part("operations", 70, records)
register_part("channel", 20, details)
register_objects("incident", lambda cid: list(db.session.scalars(_incidents(cid))))
