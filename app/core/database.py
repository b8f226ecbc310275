"""The database engine's options, from the settings (README, Configuration and Production).

Every option that matters behind a connection pooler is a setting: the pool (size, overflow, recycle, timeout, or no
pool of our own at all), the connect timeout, the application name PostgreSQL and pgbouncer show, and psycopg's
prepared statements. pgbouncer in transaction mode (before 1.21) cannot keep a prepared statement between two
transactions of one client, so `DB_PREPARE_THRESHOLD=none` turns them off; psycopg's own default (prepare after five
uses) would fail with `DuplicatePreparedStatement`. Anything else SQLAlchemy's `create_engine` accepts is given as
JSON in `DATABASE_ENGINE_OPTIONS` and wins over the settings."""

import json

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

# psycopg's connection options that may come in the URL's query; their text is turned into what psycopg expects.
URL_OPTIONS = ("prepare_threshold",)


def prepare_threshold(text) -> int | None:
    """`none`/`off`/`null`: never prepare (a pooler in transaction mode); a number: prepare after so many uses."""
    if text is None or str(text).strip().lower() in ("none", "off", "null", "never"):
        return None
    return int(text)


def engine_settings(config: dict) -> tuple[str, dict]:
    """(the database URL, the engine options) for this configuration."""
    url = sa.engine.make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return url.render_as_string(hide_password=False), {}  # one file, no server: no pool to size
    options = {
        "pool_pre_ping": True,
        "pool_size": int(config["DB_POOL_SIZE"]),
        "max_overflow": int(config["DB_MAX_OVERFLOW"]),
        "pool_recycle": int(config["DB_POOL_RECYCLE"]),
        "pool_timeout": float(config["DB_POOL_TIMEOUT"]),
    }
    if config["DB_POOL_CLASS"] == "null":  # the pooler is the only pool: a connection per checkout
        options = {"poolclass": NullPool, "pool_pre_ping": False}
    connect_args = {"connect_timeout": int(config["DB_CONNECT_TIMEOUT"]), "application_name": config["DB_APP_NAME"]}
    if str(config.get("DB_PREPARE_THRESHOLD", "")).strip():
        connect_args["prepare_threshold"] = prepare_threshold(config["DB_PREPARE_THRESHOLD"])
    for name in URL_OPTIONS:
        if name in url.query:
            connect_args[name] = prepare_threshold(url.query[name])
            url = url.difference_update_query([name])
    extra = json.loads(config.get("DATABASE_ENGINE_OPTIONS") or "{}")
    options["connect_args"] = connect_args | extra.pop("connect_args", {})
    return url.render_as_string(hide_password=False), options | extra
