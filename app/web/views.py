"""The home page of each role: what waits for this person (S12: every task within three steps)."""

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.core.audit import AuditEntry
from app.core.enums import ApplicationKind, ApplicationStatus, Role, Stage, StepStatus
from app.core.jurisdiction import visible_applications, visible_channels
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.accounts.operations import locked_user_ids, scope_audit, users_in_reach
from app.modules.agreements.operations import pending_countersignatures
from app.modules.applications.models import Application
from app.modules.channels.models import Channel
from app.modules.messaging.operations import unread_count
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.scope import review_queue

bp = Blueprint("web", __name__)


def _company_home() -> dict:
    apps = db.session.scalars(visible_applications(current_user).order_by(Application.id.desc()).limit(20)).all()
    channels = db.session.scalars(visible_channels(current_user).order_by(Channel.id.desc()).limit(20)).all()
    return {"applications": apps, "channels": channels}


def _operator_home() -> dict:
    """The operator's desk: test intakes awaiting number and key (C2.6), production intakes awaiting verification
    and the production key (C2.8), agreements awaiting countersignature."""

    def approved(kind: ApplicationKind) -> list[Application]:
        query = visible_applications(current_user).where(
            Application.status == ApplicationStatus.approved, Application.kind == kind
        )
        return db.session.scalars(query.order_by(Application.id)).all()

    to_verify = db.session.scalars(
        sa.select(Application)
        .join(ReviewStep, ReviewStep.application_id == Application.id)
        .where(
            Application.kind == ApplicationKind.production,
            ReviewStep.round == Application.round,
            ReviewStep.stage == Stage.operator,
            ReviewStep.status == StepStatus.pending,
        )
        .order_by(Application.id)
    ).all()
    return {
        "awaiting_issue": approved(ApplicationKind.test),
        "awaiting_verification": to_verify,
        "awaiting_go_live": approved(ApplicationKind.production),
        "awaiting_countersignature": pending_countersignatures(),
    }


def _admin_home() -> dict:
    locked_ids = locked_user_ids()
    reach = users_in_reach(current_user)
    locked = db.session.scalars(reach.where(sa.or_(User.locked, User.id.in_(locked_ids)))).all()
    recent_query = scope_audit(current_user, sa.select(AuditEntry), AuditEntry)
    recent = db.session.scalars(recent_query.order_by(AuditEntry.id.desc()).limit(10)).all()
    return {"locked": locked, "recent": recent}


@bp.route("/")
@login_required
def home():
    context = {"unread": unread_count(current_user)}
    if current_user.role == Role.company:
        context |= _company_home()
    elif current_user.role == Role.operator:
        context |= _operator_home()
    elif current_user.role == Role.admin:
        context |= _admin_home()
    else:
        context["queue"] = db.session.scalars(review_queue(current_user)).all()
    return render_template("home.html", **context)


@bp.route("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
