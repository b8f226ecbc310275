"""Database triggers that make audit_entry append-only (S4), on PostgreSQL and SQLite.

DELETE is refused. UPDATE is refused unless it only redacts the personal details (actor_name to '', ip, before and
after to NULL) and sets redacted_at — the one change C6.5 needs. `maintenance()` lifts them inside one transaction
for the test suite's cleanup; the production application role should own no DDL rights, so it cannot do the same.
"""

from contextlib import contextmanager

import sqlalchemy as sa

CORE = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "details_digest",
    "prev_hash",
    "entry_hash",
)
# Columns added since the first migration installed the triggers (each added by a migration that reinstalls them).
CURRENT = (*CORE, "request_id")
MESSAGE = "audit_entry is append-only"


def _changed(old: str, new: str, columns=CORE) -> str:
    core = " OR ".join(f"{new}.{c} IS DISTINCT FROM {old}.{c}" for c in columns)
    return (
        f"{core} OR ({new}.actor_name <> '' AND {new}.actor_name IS DISTINCT FROM {old}.actor_name)"
        f" OR ({new}.ip IS NOT NULL AND {new}.ip IS DISTINCT FROM {old}.ip)"
        f" OR ({new}.before IS NOT NULL AND CAST({new}.before AS TEXT) IS DISTINCT FROM CAST({old}.before AS TEXT))"
        f" OR ({new}.after IS NOT NULL AND CAST({new}.after AS TEXT) IS DISTINCT FROM CAST({old}.after AS TEXT))"
    )


def _install_statements(dialect: str, columns) -> list[str]:
    if dialect == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
  IF {_changed("OLD", "NEW", columns)} THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        ]
    return [
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry WHEN {_changed('OLD', 'NEW', columns)} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]


POSTGRES_REMOVE = ["DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry"]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_entry_no_delete", "DROP TRIGGER IF EXISTS audit_entry_no_update"]


def install(execute, dialect: str, columns=CORE) -> None:
    """The triggers over `columns` (the first migration's list by default: a migration passes its own, frozen)."""
    for statement in _install_statements(dialect, columns):
        execute(sa.text(statement))


def remove(execute, dialect: str) -> None:
    for statement in POSTGRES_REMOVE if dialect == "postgresql" else SQLITE_REMOVE:
        execute(sa.text(statement))


@contextmanager
def maintenance(connection):
    """Lift the triggers for the duration of one transaction on `connection` (DDL is transactional on both)."""
    dialect = connection.dialect.name
    remove(connection.execute, dialect)
    yield
    install(connection.execute, dialect, CURRENT)
