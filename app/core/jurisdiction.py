"""Object-level access in one place (C1.4): queries are filtered by the user's scope, never checked afterwards.

A company sees its own organisation's records; a municipal or provincial reviewer sees what has a step (or a grant)
in their city or province; the national center and the operator see every submitted record. Anything else is 404.

This module knows no domain. Each domain registers, at start-up, the model of each kind of record it owns
(`register_scope`) and, per role, the clauses by which that role reaches such records (`register_clause`) — also
clauses for another domain's records that it adds a path to (the applications domain: a reviewer reaches a channel
through an application in their jurisdiction). A role reaches what any of its clauses reaches; a role without a clause
reaches nothing.
"""

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from app.core.enums import Role
from app.core.errors import NotFound
from app.extensions import db

NATIONWIDE = (Role.national_reviewer, Role.operator, Role.auditor)
REGIONAL = (Role.municipal_reviewer, Role.provincial_reviewer)

Clause = Callable[[object], sa.ColumnElement[bool]]
_MODELS: dict[str, type] = {}
_CLAUSES: dict[tuple[str, Role], list[Clause]] = {}
_MISSING = {
    "application": ("申请不存在或不在您的管辖范围内", "No such application in your jurisdiction"),
    "channel": ("渠道不存在或不在您的管辖范围内", "No such channel in your jurisdiction"),
}


def register_scope(scope: str, model: type) -> None:
    _MODELS[scope] = model


def register_clause(scope: str, roles: Iterable[Role], clause: Clause) -> None:
    for role in roles:
        _CLAUSES.setdefault((scope, role), []).append(clause)


def scope_filter(scope: str, user) -> sa.ColumnElement[bool]:
    clauses = [clause(user) for clause in _CLAUSES.get((scope, user.role), [])]
    return sa.or_(*clauses) if clauses else sa.false()


def visible(scope: str, user) -> sa.Select:
    return sa.select(_MODELS[scope]).where(scope_filter(scope, user))


def get_visible(scope: str, user, object_id: int):
    """The record if `user` may see it; otherwise NotFound (404, never 403: nothing leaks)."""
    model = _MODELS[scope]
    found = db.session.scalar(visible(scope, user).where(model.id == object_id))
    if found is None:
        raise NotFound(*_MISSING.get(scope, ("记录不存在或不在您的管辖范围内", "No such record in your jurisdiction")))
    return found


def application_filter(user):
    return scope_filter("application", user)


def channel_filter(user):
    return scope_filter("channel", user)


def visible_applications(user):
    return visible("application", user)


def visible_channels(user):
    return visible("channel", user)


def get_application(user, app_id: int):
    return get_visible("application", user, app_id)


def get_channel(user, channel_id: int):
    return get_visible("channel", user, channel_id)
