"""Workbench card of the operator (C2.6, C3.4): approved test intakes waiting for channel numbers and test keys."""

from flask import url_for

from app.core.enums import ApplicationKind, ApplicationStatus
from app.core.jurisdiction import visible_applications
from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.modules.applications.models import Application


def to_issue(user):
    query = visible_applications(user).where(
        Application.status == ApplicationStatus.approved, Application.kind == ApplicationKind.test
    )
    return card_from(
        query,
        key="key_issuance.to_issue",
        title=("待分配渠道编号和测试密钥", "Numbers and test keys to assign"),
        url=url_for("applications.list_applications", status="approved"),
        item=lambda app: Item(f"{app.number} · {app.applicant.name}", url_for("key_issuance.issue", app_id=app.id)),
        order_by=(Application.completed_at, Application.id),
    )


register_card("key_issuance.to_issue", to_issue, permission=P.key_issue, order=20)
