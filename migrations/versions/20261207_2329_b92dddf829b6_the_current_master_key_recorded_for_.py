"""the current master key recorded for every host (issue 26)

Which master key new seals use, one row for every host: a rotation stages the new key on every host first and only
then makes it current here (flask keys rewrap-master). No row: the key in master.key, as before.

Revision ID: b92dddf829b6
Revises: 5adc85cf5046
Create Date: 2026-12-07 23:29:05.681243

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b92dddf829b6'
down_revision = '5adc85cf5046'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('master_key_current',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False, comment='SHA-256 prefix of the key; the key itself is in keys/'),
    sa.Column('activated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_master_key_current')),
    comment='Which master key new seals use, the same for every host (one row).'
    )


def downgrade():
    op.drop_table('master_key_current')
