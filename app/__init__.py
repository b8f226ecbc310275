"""The e-SSC channel-management service."""

import importlib
import importlib.util
import os
import pkgutil

from flask import Flask, abort, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app import models  # noqa: F401  (every model registered before use)
from app.core.crypto import check_keys, ensure_keys
from app.core.database import engine_settings
from app.core.i18n import init_i18n
from app.core.logs import configure_logging
from app.core.permissions import has_permission
from app.extensions import csrf, db, login_manager, migrate
from app.modules.accounts.blueprint import bp as accounts_bp
from app.modules.accounts.cli import users_cli
from app.modules.agreements.blueprint import bp as agreements_bp
from app.modules.applications.blueprint import bp as applications_bp
from app.modules.audit_log.blueprint import bp as audit_bp
from app.modules.audit_log.cli import audit_cli
from app.modules.backups.cli import backup_cli
from app.modules.changes.blueprint import bp as changes_bp
from app.modules.channel_import.blueprint import bp as channel_import_bp
from app.modules.channel_import.cli import channels_cli
from app.modules.channels.blueprint import bp as channels_bp
from app.modules.data_quality.blueprint import bp as data_quality_bp
from app.modules.demo.cli import demo_cli
from app.modules.documents.blueprint import bp as documents_bp
from app.modules.documents.render import check_cjk_font
from app.modules.exits.blueprint import bp as exits_bp
from app.modules.incidents.blueprint import bp as incidents_bp
from app.modules.key_issuance.blueprint import bp as keys_bp
from app.modules.key_issuance.cli import keys_cli
from app.modules.messaging.blueprint import bp as messaging_bp
from app.modules.messaging.cli import messages_cli
from app.modules.monitoring.blueprint import bp as monitoring_bp
from app.modules.monitoring.cli import monitoring_cli, statistics_cli
from app.modules.notices.blueprint import bp as notices_bp
from app.modules.notices.cli import notices_cli
from app.modules.production.blueprint import bp as production_bp
from app.modules.promotions.blueprint import bp as promotions_bp
from app.modules.reviews.blueprint import bp as reviews_bp
from app.modules.security_tests.blueprint import bp as security_tests_bp
from app.modules.security_tests.cli import security_tests_cli
from app.modules.work_orders.blueprint import bp as work_orders_bp
from app.web import init_web
from app.web.api import api_bp, load_api_routes
from app.web.observability import init_observability
from app.web.policy import ROUTE_POLICY
from app.web.throttle import init_throttle
from app.web.views import bp as web_bp
from config import CONFIGS


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Attach extensions, register blueprints and commands; nothing else."""
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(CONFIGS[config_name or os.environ.get("FLASK_CONFIG", "development")])
    app.config.update(overrides)
    configure_logging(app)
    _check_config(app)
    if app.config["TRUSTED_PROXIES"]:  # the client's address for lockout, throttling and logs (README, Security)
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    init_observability(app)  # first: every later hook and handler has the request's id
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    app.before_request(_limit_request_size)  # before CSRF protection reads the form
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)

    init_web(app)
    _register_blueprints(app)

    init_throttle(app)
    _register_commands(app)
    _load_domain_registrations()
    if app.config["REQUIRE_CJK_FONT"]:
        check_cjk_font()  # C7.4: refuse to start rather than print forms with empty boxes
    with app.app_context():
        ensure_keys()
        check_keys()  # refuse to start without usable keys (production never generates one)
    return app


class BoundedIntConverter(IntegerConverter):
    """Ids in URLs are 1 … 2^31-1 (the database's INTEGER): anything else is simply no such page (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _check_config(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set (environment variable SECRET_KEY)")
    if app.config["REQUIRE_PUBLIC_BASE_URL"] and not app.config["PUBLIC_BASE_URL"].startswith(("https://", "http://")):
        raise RuntimeError(
            "PUBLIC_BASE_URL must be set (e.g. https://essc-channels.example.cn): it is printed under every document's"
            " QR code (S9)"
        )
    if not app.config["STORAGE_URL"]:
        os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    if "SQLALCHEMY_ENGINE_OPTIONS" not in app.config:  # set from the DB_* settings unless given whole
        url, options = engine_settings(app.config)
        app.config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)


# Endpoints that take a screen recording (C2.9): their requests may be as large as one recording.
RECORDING_ENDPOINTS = frozenset({"production.upload_recording", "api.upload_recording"})


def _limit_request_size() -> None:
    """Every request body is refused (413) from its Content-Length, before a byte of it is read, when it is larger
    than its endpoint allows. Only a caller allowed to upload a screen recording may send one that large."""
    length = request.content_length
    if length is None:
        return
    allowed = request.endpoint in RECORDING_ENDPOINTS and current_user.is_authenticated
    if allowed and has_permission(current_user.role, ROUTE_POLICY[request.endpoint]):
        request.max_content_length = current_app.config["MAX_RECORDING_BYTES"] + 64 * 1024
    limit = request.max_content_length
    if limit is not None and length > limit:
        abort(413)


def _load_domain_registrations() -> None:
    """Each domain's `jobs.py` registers its scheduled work (`app.core.jobs`), its `deletion.py` its part of a channel's
    data deletion (`app.core.deletion`), its `cards.py` its cards of the workbench (`app.core.workbench`), when
    imported."""
    for module in pkgutil.iter_modules([os.path.join(os.path.dirname(__file__), "modules")]):
        for part in ("jobs", "deletion", "cards"):
            if importlib.util.find_spec(f"app.modules.{module.name}.{part}") is not None:
                importlib.import_module(f"app.modules.{module.name}.{part}")


def _register_blueprints(app: Flask) -> None:
    for blueprint in (
        web_bp,
        accounts_bp,
        applications_bp,
        reviews_bp,
        keys_bp,
        channels_bp,
        messaging_bp,
        audit_bp,
        security_tests_bp,
        production_bp,
        agreements_bp,
        documents_bp,
        work_orders_bp,
        notices_bp,
        promotions_bp,
        changes_bp,
        monitoring_bp,
        incidents_bp,
        exits_bp,
        channel_import_bp,
        data_quality_bp,
    ):
        app.register_blueprint(blueprint)
    load_api_routes()
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def _register_commands(app: Flask) -> None:
    groups = (users_cli, demo_cli, audit_cli, backup_cli, keys_cli, security_tests_cli, messages_cli, notices_cli)
    for group in (*groups, monitoring_cli, statistics_cli, channels_cli):
        app.cli.add_command(group)
