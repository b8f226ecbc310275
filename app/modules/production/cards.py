"""Workbench cards of the operator (C2.8, C2.9): production intakes whose recordings and report wait for
verification, and approved ones waiting for their production key."""

import sqlalchemy as sa
from flask import url_for

from app.core.enums import ApplicationKind, ApplicationStatus, Stage, StepStatus
from app.core.jurisdiction import visible_applications
from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.modules.applications.models import Application
from app.modules.reviews.models import ReviewStep


def to_verify(user):
    query = visible_applications(user).where(
        Application.kind == ApplicationKind.production,
        sa.exists().where(
            ReviewStep.application_id == Application.id,
            ReviewStep.round == Application.round,
            ReviewStep.stage == Stage.operator,
            ReviewStep.status == StepStatus.pending,
        ),
    )
    return card_from(
        query,
        key="production.to_verify",
        title=("待核验录屏和检测报告", "Recordings and reports to verify"),
        url=url_for("applications.list_applications", status="in_review"),
        item=lambda app: Item(f"{app.number} · {app.applicant.name}", url_for("production.verify", app_id=app.id)),
        order_by=(Application.submitted_at, Application.id),
        hint=("逐项勾选两段录屏的六个步骤（C2.9）", "Tick the six steps in both recordings (C2.9)"),
    )


def to_go_live(user):
    query = visible_applications(user).where(
        Application.kind == ApplicationKind.production, Application.status == ApplicationStatus.approved
    )
    return card_from(
        query,
        key="production.to_go_live",
        title=("待签发生产密钥", "Production keys to issue"),
        url=url_for("applications.list_applications", status="approved"),
        item=lambda app: Item(f"{app.number} · {app.applicant.name}", url_for("production.go_live", app_id=app.id)),
        order_by=(Application.id,),
    )


register_card("production.to_verify", to_verify, permission=P.production_verify, order=20)
register_card("production.to_go_live", to_go_live, permission=P.production_verify, order=25)
