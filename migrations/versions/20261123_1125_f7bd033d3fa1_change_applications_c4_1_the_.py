"""change applications (C4.1): the application kind 'change'

Revision ID: f7bd033d3fa1
Revises: cc15169c68af
Create Date: 2026-11-23 11:25:54.005684

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7bd033d3fa1'
down_revision = 'cc15169c68af'
branch_labels = None
depends_on = None


def _kinds(kinds):
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_application_application_kind"), type_="check")
        batch_op.create_check_constraint("application_kind", sa.column("kind").in_(kinds))


def upgrade():
    _kinds(["test", "production", "change"])


def downgrade():
    # refuses (constraint violation) while change applications exist: nothing is deleted silently
    _kinds(["test", "production"])
