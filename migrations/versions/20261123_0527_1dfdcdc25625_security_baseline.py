"""security baseline: auditor role, timed lockout and TOTP fields, server-side sessions, the audit hash chain with its
append-only triggers (existing entries are chained in id order with the key from keys/).

Revision ID: 1dfdcdc25625
Revises: 4d99638a7209
Create Date: 2026-11-23 05:27:46.998847

"""
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from app.core import audit, audit_triggers


# revision identifiers, used by Alembic.
revision = '1dfdcdc25625'
down_revision = '4d99638a7209'
branch_labels = None
depends_on = None


ROLES = ("company", "municipal_reviewer", "provincial_reviewer", "national_reviewer", "operator", "admin", "auditor")
GENESIS = "0" * 64


def upgrade():
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('web_session',
    sa.Column('id', sa.String(length=64), nullable=False, comment='SHA-256 of the cookie token'),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_web_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session'))
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True, comment='position in the hash chain'))
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=False, server_default='success', comment='success, denied'))
        batch_op.add_column(sa.Column('details_digest', sa.String(length=64), nullable=True, comment='HMAC of actor name, IP, before and after: these may be redacted, the digest stays'))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True, comment='HMAC over prev_hash and the canonical core'))
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(), nullable=True, comment='personal details removed (C6.5); chain intact'))
    head_seq, head_hash = _chain_existing_entries()
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        for name in ('seq', 'details_digest', 'prev_hash', 'entry_hash'):
            batch_op.alter_column(name, existing_type=sa.BigInteger() if name == 'seq' else sa.String(length=64), nullable=False)
        batch_op.alter_column('outcome', existing_type=sa.String(length=16), server_default=None)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_seq'), ['seq'])
    op.bulk_insert(sa.table('audit_head', sa.column('id'), sa.column('seq'), sa.column('hash')),
                   [{'id': 1, 'seq': head_seq, 'hash': head_hash}])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True, comment='end of a lockout after failures; null: until unlocked'))
        batch_op.add_column(sa.Column('totp_enabled', sa.Boolean(), nullable=False, server_default=sa.false(), comment='second factor confirmed (S11)'))
        batch_op.add_column(sa.Column('totp_secret', sa.LargeBinary(), nullable=True, comment='sealed under the master key'))
        batch_op.add_column(sa.Column('totp_wrapped_key', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('totp_master_key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=False, server_default='0', comment='last accepted time step: no reuse'))
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_account_role'), sa.column('role').in_(ROLES))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_enabled', existing_type=sa.Boolean(), server_default=None)
        batch_op.alter_column('totp_last_step', existing_type=sa.BigInteger(), server_default=None)
    audit_triggers.install(op.execute, op.get_bind().dialect.name)


def _chain_existing_entries():
    """Link the entries written before the chain existed, in id order, with the chain key from keys/."""
    conn = op.get_bind()
    table = sa.table('audit_entry', *(sa.column(c) for c in (
        'id', 'seq', 'at', 'actor_id', 'actor_name', 'actor_role', 'ip', 'action', 'object_type', 'object_id',
        'outcome', 'details_digest', 'prev_hash', 'entry_hash')), sa.column('before', sa.JSON), sa.column('after', sa.JSON))
    prev, seq = GENESIS, 0
    for row in conn.execute(sa.select(table).order_by(table.c.id)).all():
        seq += 1
        entry = SimpleNamespace(**(dict(row._mapping) | {'seq': seq, 'outcome': row.outcome or 'success'}))
        if isinstance(entry.at, str):
            entry.at = datetime.fromisoformat(entry.at)
        entry.details_digest = audit.details_digest(entry)
        digest = audit.entry_hash(entry, prev)
        conn.execute(sa.update(table).where(table.c.id == row.id).values(
            seq=seq, prev_hash=prev, details_digest=entry.details_digest, entry_hash=digest))
        prev = digest
    return seq, prev


def downgrade():
    audit_triggers.remove(op.execute, op.get_bind().dialect.name)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_account_role'), sa.column('role').in_(ROLES[:-1]))
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_master_key_id')
        batch_op.drop_column('totp_wrapped_key')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('totp_enabled')
        batch_op.drop_column('locked_until')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entry_seq'), type_='unique')
        batch_op.drop_column('redacted_at')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('details_digest')
        batch_op.drop_column('outcome')
        batch_op.drop_column('seq')

    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_web_session_last_seen_at'))

    op.drop_table('web_session')
    op.drop_table('audit_head')
    # ### end Alembic commands ###
