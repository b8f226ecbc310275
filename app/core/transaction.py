"""One transaction per action: an operation commits everything it did, or nothing."""

import functools
from contextvars import ContextVar

from app.extensions import db

_depth: ContextVar[int] = ContextVar("transaction_depth", default=0)


def transactional(func):
    """Commit when the outermost operation returns; roll back everything if it raises."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        depth = _depth.get()
        token = _depth.set(depth + 1)
        try:
            result = func(*args, **kwargs)
            if depth == 0:
                db.session.commit()
            return result
        except BaseException:
            if depth == 0:
                db.session.rollback()
            raise
        finally:
            _depth.reset(token)

    return wrapper


def lock_row(model, row_id: int) -> bool:
    """Take the row's write lock until the transaction ends (a row lock on PostgreSQL, the database write lock on
    SQLite) with a no-op UPDATE, so that every verb on that object runs one after the other. False: no such row."""
    table = model.__table__
    result = db.session.execute(table.update().where(table.c.id == row_id).values(id=table.c.id))
    return result.rowcount == 1
