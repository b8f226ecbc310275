"""`flask db upgrade` from empty gives the same schema as the models (the test database is built by the migrations)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from app.extensions import db

ROOT = Path(__file__).resolve().parents[1]


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_reference_data_is_loaded_by_migration(app):
    from app.modules.regions.operations import all_regions, mainland_provinces

    regions = all_regions()
    assert len([r for r in regions if r.is_province]) == 34 and len(mainland_provinces()) == 31
    assert {"370100", "440300", "540200", "650500"} <= {r.code for r in regions}
    assert all(r.name_en for r in regions)


def test_two_hosts_upgrading_at_once_both_succeed_and_the_schema_is_at_head(app, tmp_path):
    """Issue 26: a deploy that runs `flask db upgrade` on two hosts at once — the second waits for the first (a
    transaction-scoped advisory lock, which holds through pgbouncer) and finds nothing left to do."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("SQLite is one host's file: the race needs a database server (the PostgreSQL leg)")
    name = f"{url.database}_upgrade"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    target = url.set(database=name).render_as_string(hide_password=False)
    env = os.environ | {"FLASK_APP": "wsgi.py", "FLASK_CONFIG": "development", "DATABASE_URL": target}
    env |= {"KEYS_DIR": str(tmp_path / "keys"), "UPLOAD_FOLDER": str(tmp_path / "up")}
    try:
        logs = [tmp_path / f"host{n}.log" for n in range(2)]
        hosts = []
        for log in logs:
            with open(log, "wb") as out:
                command = [sys.executable, "-m", "flask", "db", "upgrade"]
                hosts.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))
        outcomes = [(host.wait(300), log.read_text()[-2000:]) for host, log in zip(hosts, logs, strict=True)]
        assert [code for code, _ in outcomes] == [0, 0], outcomes
        engine = sa.create_engine(target)
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == _head()
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _head() -> str:
    return ScriptDirectory.from_config(
        Config(config_args={"script_location": str(ROOT / "migrations")})
    ).get_current_head()
