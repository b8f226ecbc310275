"""Workbench cards of security incidents (C5.2, C5.5, C5.6, C4.11): reports and candidates the operator confirms,
rectification reports it judges, the channel's rectifications due, and the renewals the national center approves
after the observation period."""

import sqlalchemy as sa
from flask import url_for

from app.core.i18n import localized
from app.core.permissions import P
from app.core.timeutil import today
from app.core.workbench import Item, card_from, register_card
from app.modules.incidents.catalogue import INCIDENT_TYPES
from app.modules.incidents.models import Incident, IncidentStatus, Rectification, RectificationStatus
from app.modules.incidents.operations import OPEN, visible_incidents


def _item(incident: Incident, **extra) -> Item:
    _level, *titles = INCIDENT_TYPES.get(incident.incident_type, (0, incident.incident_type, incident.incident_type))
    label = f"{incident.number} · {incident.channel.name} · {localized(titles)}"
    return Item(label, url_for("incidents.incident_detail", incident_id=incident.id), **extra)


def to_confirm(user):
    query = visible_incidents(user).where(Incident.status.in_(OPEN))
    return card_from(
        query,
        key="incidents.confirm",
        title=("待认定的安全风险事件", "Security incidents to confirm"),
        url=url_for("incidents.incidents"),
        item=lambda i: _item(i, since=i.reported_at),
        order_by=(Incident.reported_at, Incident.id),
        hint=("认定后按级别立即处置（C5.5）", "Confirmed, the level's consequences apply at once (C5.5)"),
    )


def rectifications_to_judge(user):
    pending = sa.exists().where(
        Rectification.incident_id == Incident.id, Rectification.status == RectificationStatus.pending
    )
    query = visible_incidents(user).where(Incident.status == IncidentStatus.rectifying, pending)
    return card_from(
        query,
        key="incidents.rectifications",
        title=("待核验的整改报告", "Rectification reports to judge"),
        url=url_for("incidents.incidents"),
        item=lambda i: _item(i, due=i.rectification_due),
        order_by=(Incident.rectification_due, Incident.id),
    )


def rectifications_due(user):
    query = visible_incidents(user).where(Incident.status == IncidentStatus.rectifying)
    return card_from(
        query,
        key="incidents.rectify",
        title=("待整改的安全风险事件", "Incidents to rectify"),
        url=url_for("incidents.incidents"),
        item=lambda i: _item(i, due=i.rectification_due),
        order_by=(Incident.rectification_due, Incident.id),
        hint=("整改期限内提交整改报告（C5.5）", "File the rectification report before the deadline (C5.5)"),
    )


def renewals(user):
    query = visible_incidents(user).where(
        Incident.status == IncidentStatus.restored,
        Incident.observation_until <= today(),
        Incident.renewal_approved_at.is_(None),
    )
    return card_from(
        query,
        key="incidents.renewals",
        title=("考察期满待审批续签", "Renewals to approve after observation"),
        url=url_for("incidents.incidents"),
        item=lambda i: _item(i, since=i.observation_until),
        order_by=(Incident.observation_until, Incident.id),
    )


register_card("incidents.confirm", to_confirm, permission=P.incident_manage, order=5)
register_card("incidents.rectifications", rectifications_to_judge, permission=P.incident_manage, order=15)
register_card("incidents.rectify", rectifications_due, permission=P.incident_report, order=5)
register_card("incidents.renewals", renewals, permission=P.incident_approve, order=40)
