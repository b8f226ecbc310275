"""The tamper-evident audit log (S4): the chain verifies, a single altered byte anywhere is found and named, the table
refuses updates and deletes, redaction of personal details keeps the chain intact."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from app.core import audit_triggers
from app.core.audit import AuditEntry, verify_chain
from app.extensions import db
from tests.conftest import file_application

COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "ip",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "before",
    "after",
    "details_digest",
    "prev_hash",
    "entry_hash",
)

pytestmark = pytest.mark.commits  # the tampering goes through connections of its own, as an intruder's would


@pytest.fixture
def journal(world):
    file_application(world.company_a)
    db.session.commit()
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()


def _tamper(seq: int, column: str):
    """Change one byte of one column of one entry, as someone with raw database access would."""
    table = AuditEntry.__table__
    db.session.rollback()  # end the test's read transaction: lifting the triggers needs an exclusive table lock
    with db.engine.begin() as conn, audit_triggers.maintenance(conn):
        value = conn.execute(sa.select(table.c[column]).where(table.c.seq == seq)).scalar()
        if column in ("before", "after"):
            value = dict(value or {}) | {"x": 1}
        elif column == "at":
            value = value.replace(microsecond=(value.microsecond + 1) % 1_000_000)
        elif column == "actor_id":
            value = (value or 0) + 1
        else:
            text = value or "-"
            value = text[:-1] + ("0" if text[-1] != "0" else "1")
        conn.execute(sa.update(table).where(table.c.seq == seq).values({column: value}))
    db.session.expire_all()


def test_s4_chain_verifies(journal):
    result = verify_chain()
    assert result.first_bad is None and result.checked == len(journal) >= 5


@pytest.mark.parametrize("column", COLUMNS)
def test_s4_a_single_altered_byte_is_named(journal, column):
    target = journal[len(journal) // 2].seq
    _tamper(target, column)
    result = verify_chain()
    assert result.first_bad == target, (column, result)


def test_s4_a_deleted_entry_is_found(journal):
    table, target = AuditEntry.__table__, journal[2].seq
    db.session.rollback()
    with db.engine.begin() as conn, audit_triggers.maintenance(conn):
        conn.execute(sa.delete(table).where(table.c.seq == target))
    assert verify_chain().first_bad == target


def test_s4_truncating_the_tail_is_found(journal):
    table, target = AuditEntry.__table__, journal[-1].seq
    db.session.rollback()
    with db.engine.begin() as conn, audit_triggers.maintenance(conn):
        conn.execute(sa.delete(table).where(table.c.seq == target))
    assert verify_chain().first_bad is not None


def test_s4_the_table_refuses_update_and_delete(journal):
    table = AuditEntry.__table__
    db.session.rollback()
    for statement in (sa.delete(table), sa.update(table).values(action="erased")):
        with pytest.raises(DatabaseError), db.engine.begin() as conn:
            conn.execute(statement)
    assert verify_chain().first_bad is None


def test_c6_5_redacting_personal_details_keeps_the_chain(journal):
    table, target = AuditEntry.__table__, journal[1].seq
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.seq == target)
            .values(actor_name="", ip=None, before=sa.null(), after=sa.null(), redacted_at=sa.func.current_timestamp())
        )
    assert verify_chain().first_bad is None


def test_s4_no_personal_data_in_the_chained_core():
    from app.core.audit import CORE_FIELDS

    assert not {"actor_name", "ip", "before", "after"} & set(CORE_FIELDS)


def test_s4_audit_verify_cli(app, journal):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _tamper(journal[0].seq, "action")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"seq={journal[0].seq}" in result.output
