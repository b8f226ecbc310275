"""audit entries keep the request id (issue 26)

The id of the request that recorded an entry (X-Request-Id; its log lines carry it), chained with the entry when
there is one. The append-only triggers are installed again so that they guard the new column too (its list of
columns frozen here, as this migration saw them).

Revision ID: 5f0724e9a985
Revises: b92dddf829b6
Create Date: 2026-12-07 23:40:28.392977

"""
from alembic import op
import sqlalchemy as sa

from app.core import audit_triggers

GUARDED = (
    "id", "seq", "at", "actor_id", "actor_role", "action", "object_type", "object_id", "outcome", "details_digest",
    "prev_hash", "entry_hash",
)


# revision identifiers, used by Alembic.
revision = '5f0724e9a985'
down_revision = 'b92dddf829b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True, comment='X-Request-Id of the request that recorded it (its log lines carry it)'))
        batch_op.create_index(batch_op.f('ix_audit_entry_request_id'), ['request_id'], unique=False)
    dialect = op.get_bind().dialect.name
    audit_triggers.remove(op.execute, dialect)
    audit_triggers.install(op.execute, dialect, (*GUARDED, "request_id"))



def downgrade():
    dialect = op.get_bind().dialect.name
    audit_triggers.remove(op.execute, dialect)
    audit_triggers.install(op.execute, dialect, GUARDED)
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_request_id'))
        batch_op.drop_column('request_id')

