"""The home page: the workbench of what waits for this person (S12: every task within three steps)."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.core.workbench import cards_for
from app.modules.messaging.operations import unread_count
from app.web import observability
from app.web.overview import figures as overview_figures

bp = Blueprint("web", __name__)


@bp.route("/")
@login_required
def home():
    """The workbench (待办工作台): the cards each domain registered for this person, most urgent first."""
    return render_template("home.html", unread=unread_count(current_user), cards=cards_for(current_user))


@bp.route("/overview")
@login_required
def overview():
    """The overview with pictures (S13), within the user's jurisdiction."""
    return render_template("overview.html", f=overview_figures(current_user))


@bp.route("/healthz")
def healthz():
    """The process answers (README, Production → Monitoring)."""
    return observability.healthz()


@bp.route("/readyz")
def readyz():
    """This instance can serve: database, schema at head, Redis, storage, keys."""
    return observability.readyz()


@bp.route("/metrics")
def metrics():
    """Prometheus metrics, with the bearer token METRICS_TOKEN only."""
    return observability.metrics()
