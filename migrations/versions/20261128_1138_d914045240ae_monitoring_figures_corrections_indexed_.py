"""monitoring figures: the corrections indexed for the current-version test, and versions from 1 (issue 17)

Revision ID: d914045240ae
Revises: 1bf988550a59
Create Date: 2026-11-28 11:38:19.599949

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd914045240ae'
down_revision = '1bf988550a59'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('monthly_statistic', schema=None) as batch_op:
        batch_op.create_check_constraint('version_from_one', 'version >= 1')
        batch_op.create_index(
            'ix_monthly_statistic_corrections',
            ['channel_id', 'month'],
            unique=False,
            postgresql_where=sa.text('version > 1'),
            sqlite_where=sa.text('version > 1'),
        )



def downgrade():
    with op.batch_alter_table('monthly_statistic', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_statistic_corrections')
        batch_op.drop_constraint(op.f('ck_monthly_statistic_version_from_one'), type_='check')

