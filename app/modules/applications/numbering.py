"""Counters for application numbers and channel numbers, safe under concurrency (a row lock on the counter)."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.timeutil import today
from app.extensions import db
from app.modules.applications.models import Counter


def next_value(name: str) -> int:
    """Increment the named counter in the current transaction and return the new value."""
    bumped = db.session.execute(
        sa.update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar()
    if bumped is not None:
        return bumped
    try:
        with db.session.begin_nested():
            db.session.add(Counter(name=name, value=1))
        return 1
    except IntegrityError:
        return next_value(name)


def daily_number(letter: str, counter: str) -> str:
    """A number shown to users: a letter, today's date YYYYMMDD and a 5-digit serial for that day (work orders W,
    incidents I, exits E)."""
    prefix = letter + today().strftime("%Y%m%d")
    return f"{prefix}{next_value(counter + ':' + prefix):05d}"


def application_number(kind: str, day) -> str:
    """Format: T (test), P (production) or C (change, C4.1), the fill date YYYYMMDD, a 5-digit serial per day. The
    number is given when the draft is created, from the fill date it states then (a change application: the day it is
    filed); amending the fill date later does not renumber it — a number shown to users never changes (S8)."""
    prefix = {"test": "T", "production": "P", "change": "C"}[kind] + day.strftime("%Y%m%d")
    return f"{prefix}{next_value('app:' + prefix):05d}"


def at_least(name: str, value: int) -> None:
    """Raise the named counter to `value` if it is below (numbers brought in from outside are never handed out
    again)."""
    db.session.flush()
    if db.session.get(Counter, name) is None:
        db.session.add(Counter(name=name, value=value))
        db.session.flush()
        return
    db.session.execute(sa.update(Counter).where(Counter.name == name, Counter.value < value).values(value=value))
