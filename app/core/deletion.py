"""The parts of a channel's data deletion (C6.5), registered by the domain that owns each record; the exits domain
runs them step by step with its certificate (`app.modules.exits.deletion`) and imports none of the records.

A part is `part(channel_id, scope) -> {what: count}`; `scope["applications"]` holds the ids of the applications that
are the channel's alone. Within a step the parts run in `order`; a part that deletes rows another part's rows point
at takes a later order. `register_objects` adds the records messages and audit entries may point at."""

from collections.abc import Callable

import sqlalchemy as sa

from app.core.uploads import remove_upload
from app.extensions import db

STEPS = ("files", "application_contents", "operations", "channel", "messages_and_audit")

_PARTS: dict[str, list[tuple[int, str, Callable]]] = {step: [] for step in STEPS}
_OBJECTS: dict[str, Callable[[int], list[int]]] = {}


def register_part(step: str, order: int, part: Callable[[int, dict], dict]) -> None:
    key = f"{part.__module__}.{part.__qualname__}"
    parts = [p for p in _PARTS[step] if p[1] != key] + [(order, key, part)]
    _PARTS[step] = sorted(parts, key=lambda p: p[0])


def register_objects(object_type: str, ids_of: Callable[[int], list[int]]) -> None:
    """`ids_of(channel_id)`: the ids of the channel's records of `object_type` that messages and audit entries name."""
    _OBJECTS[object_type] = ids_of


def run_step(step: str, channel_id: int, scope: dict) -> dict:
    counts: dict = {}
    for _order, _key, part in _PARTS[step]:
        counts |= part(channel_id, scope)
    return counts


def channel_objects(channel_id: int) -> list[list[str]]:
    return [[kind, str(i)] for kind, ids_of in _OBJECTS.items() for i in ids_of(channel_id)]


def delete_files(model, where) -> int:
    """Remove the stored files of the rows `where` (their rows go in a later step)."""
    names = list(db.session.scalars(sa.select(model.stored_name).where(where)))
    for name in names:
        remove_upload(name)
    return len(names)


def delete_rows(model, where) -> int:
    return db.session.execute(sa.delete(model).where(where)).rowcount


def update_rows(model, where, **values) -> int:
    return db.session.execute(sa.update(model).where(where).values(**values)).rowcount
