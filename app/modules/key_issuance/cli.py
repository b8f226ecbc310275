"""`flask keys rotate-master`: a new platform master key, every wrapped data key re-wrapped under it, no downtime."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.core import audit
from app.core.crypto import Sealed, retire_master_key, rewrap, rotate_master_key
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.key_issuance.models import ChannelKey

keys_cli = click.Group("keys", help="The platform master key.")


@keys_cli.command("rotate-master")
@with_appcontext
def rotate_master():
    """The old key stays readable (master-<id>.key) while each row is re-wrapped in its own short transaction, so the
    running service keeps working; the old key file is removed once no row names it."""
    old_id, new_id = rotate_master_key()
    keys = _rewrap_all(
        db,
        ChannelKey,
        new_id,
        lambda k: (Sealed(k.secret_ciphertext, k.wrapped_data_key, k.master_key_id), k.key_id),
        lambda k, s: setattr(k, "wrapped_data_key", s.wrapped_key),
        rewrap,
    )
    users = _rewrap_all(
        db,
        User,
        new_id,
        lambda u: (Sealed(u.totp_secret, u.totp_wrapped_key, u.totp_master_key_id), f"totp:{u.id}"),
        lambda u, s: setattr(u, "totp_wrapped_key", s.wrapped_key),
        rewrap,
        totp=True,
    )
    left = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ChannelKey)
        .where(ChannelKey.master_key_id == old_id, ChannelKey.wrapped_data_key != b"")
    )
    if not left:
        retire_master_key(old_id)
    audit.record(
        "keys.rotate_master",
        None,
        object_type="master_key",
        object_id=new_id,
        after={"old": old_id, "new": new_id, "channel_keys": keys, "totp_secrets": users},
    )
    db.session.commit()
    click.echo(f"master key {old_id} -> {new_id}: re-wrapped {keys} channel keys and {users} second factors")


def _rewrap_all(db, model, new_id, sealed_of, store, rewrap, totp=False) -> int:
    column = model.totp_master_key_id if totp else model.master_key_id
    query = sa.select(model.id).where(column.isnot(None), column != new_id)
    if not totp:
        query = query.where(model.wrapped_data_key != b"")
    count = 0
    for row_id in db.session.scalars(query).all():
        row = db.session.get(model, row_id, with_for_update=True)
        sealed, context = sealed_of(row)
        fresh = rewrap(sealed, context)
        store(row, fresh)
        if totp:
            row.totp_master_key_id = fresh.master_key_id
        else:
            row.master_key_id = fresh.master_key_id
        db.session.commit()
        count += 1
    return count
