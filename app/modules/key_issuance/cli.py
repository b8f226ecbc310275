"""`flask keys …`: the platform master key across hosts, rotated in three steps that never stop the service (C5.1).

1. `flask keys stage-master` on one host writes a new key as keys/master-<id>.key and prints its id; copy that file
   to every other host's key folder (or run `flask keys stage-master --from FILE` there). Every host can now open
   what the new key wraps; nothing uses it yet.
2. `flask keys rewrap-master ID` (once, on any host that has it) records ID as the key new seals use — for every
   host at once, in the database — and re-wraps every sealed data key under it, each row in its own short
   transaction; run again, it carries on with the rows left.
3. `flask keys retire-master OLD` on each host removes the old key once no row names it.

`flask keys status` says which key is current, which keys this host holds, and how many rows each key wraps.
`flask keys rotate-master` does the three steps at once, for a single host (the embedded default)."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.core import audit
from app.core.crypto import (
    MasterKeyMissing,
    Sealed,
    activate_master_key,
    keyring,
    master_key_id,
    retire_master_key,
    rewrap,
    stage_master_key,
)
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.key_issuance.models import ChannelKey

keys_cli = click.Group("keys", help="The platform master key: stage, rewrap, retire (several hosts), or rotate.")


def _channel_keys():
    return (
        ChannelKey,
        ChannelKey.master_key_id,
        ChannelKey.wrapped_data_key != b"",
        lambda k: (Sealed(k.secret_ciphertext, k.wrapped_data_key, k.master_key_id), k.key_id),
        lambda k, s: (setattr(k, "wrapped_data_key", s.wrapped_key), setattr(k, "master_key_id", s.master_key_id)),
    )


def _second_factors():
    return (
        User,
        User.totp_master_key_id,
        User.totp_master_key_id.isnot(None),
        lambda u: (Sealed(u.totp_secret, u.totp_wrapped_key, u.totp_master_key_id), f"totp:{u.id}"),
        lambda u, s: (setattr(u, "totp_wrapped_key", s.wrapped_key), setattr(u, "totp_master_key_id", s.master_key_id)),
    )


def wrapped_counts() -> dict[str, int]:
    """How many sealed rows each master key wraps (channel keys and second-factor secrets together)."""
    counts: dict[str, int] = {}
    for model, column, sealed, _of, _store in (_channel_keys(), _second_factors()):
        query = sa.select(column, sa.func.count()).select_from(model).where(sealed).group_by(column)
        for key_id, n in db.session.execute(query):
            counts[key_id] = counts.get(key_id, 0) + n
    return counts


def _fail(exc: Exception):
    raise click.ClickException(str(exc)) from exc


@keys_cli.command("status")
@with_appcontext
def status():
    """The current master key, the keys this host holds, and the rows each key wraps."""
    current, held, counts = master_key_id(), keyring(), wrapped_counts()
    click.echo(f"current master key: {current}{'' if current in held else '  (NOT ON THIS HOST)'}")
    for key_id in sorted(set(held) | set(counts)):
        where = "on this host" if key_id in held else "MISSING on this host"
        click.echo(f"  {key_id}  {where:22}  wraps {counts.get(key_id, 0)} rows")


@keys_cli.command("stage-master")
@click.option(
    "--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="a staged key file"
)
@with_appcontext
def stage(source):
    """Step 1: a new master key (or the one in FILE) in this host's key store, not yet used."""
    key_id = stage_master_key(source)
    audit.record("keys.stage_master", None, object_type="master_key", object_id=key_id)
    db.session.commit()
    click.echo(f"staged master key {key_id} (keys/master-{key_id}.key)")
    if source is None:
        click.echo(f"copy master-{key_id}.key to every host's key folder, then: flask keys rewrap-master {key_id}")


@keys_cli.command("rewrap-master")
@click.argument("key_id")
@with_appcontext
def rewrap_master(key_id):
    """Step 2: KEY_ID becomes the key new seals use on every host, and every wrapped data key is re-wrapped."""
    try:
        previous = activate_master_key(key_id)
    except MasterKeyMissing as exc:
        _fail(exc)
    audit.record("keys.activate_master", None, object_type="master_key", object_id=key_id, after={"old": previous})
    db.session.commit()
    keys, users = _rewrap_all(_channel_keys(), key_id), _rewrap_all(_second_factors(), key_id)
    audit.record(
        "keys.rotate_master",
        None,
        object_type="master_key",
        object_id=key_id,
        after={"old": previous, "new": key_id, "channel_keys": keys, "totp_secrets": users},
    )
    db.session.commit()
    click.echo(f"master key {previous} -> {key_id}: re-wrapped {keys} channel keys and {users} second factors")
    return previous


@keys_cli.command("retire-master")
@click.argument("key_id")
@with_appcontext
def retire(key_id):
    """Step 3: remove KEY_ID from this host once no row names it (run on every host)."""
    left = wrapped_counts().get(key_id, 0)
    if left:
        _fail(MasterKeyMissing(f"{left} rows are still wrapped under {key_id}: run flask keys rewrap-master first"))
    try:
        removed = retire_master_key(key_id)
    except MasterKeyMissing as exc:
        _fail(exc)
    audit.record("keys.retire_master", None, object_type="master_key", object_id=key_id, after={"files": removed})
    db.session.commit()
    click.echo(f"retired master key {key_id} on this host ({', '.join(removed) or 'no file held it'})")


@keys_cli.command("rotate-master")
@click.pass_context
@with_appcontext
def rotate_master(ctx):
    """One host only: stage a new key, rewrap to it and retire the old one, in one go."""
    key_id = stage_master_key()
    previous = ctx.invoke(rewrap_master, key_id=key_id)
    if previous != key_id:
        ctx.invoke(retire, key_id=previous)


def _rewrap_all(kind, new_id: str) -> int:
    """Each row still wrapped under another key, re-wrapped under `new_id` in its own short transaction."""
    model, column, sealed_rows, sealed_of, store = kind
    query = sa.select(model.id).where(sealed_rows, column != new_id)
    count = 0
    for row_id in db.session.scalars(query).all():
        row = db.session.get(model, row_id, with_for_update=True)
        if getattr(row, column.key) == new_id:  # re-wrapped meanwhile (two rewraps at once)
            db.session.commit()
            continue
        sealed, context = sealed_of(row)
        store(row, rewrap(sealed, context))
        db.session.commit()
        count += 1
    return count
