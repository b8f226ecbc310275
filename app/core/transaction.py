"""One transaction per action: an operation commits everything it did, or nothing."""

import functools
from contextvars import ContextVar

from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict
from app.extensions import db

_depth: ContextVar[int] = ContextVar("transaction_depth", default=0)


def transactional(func):
    """Commit when the outermost operation returns; roll back everything if it raises. A unique or foreign-key
    violation means another request wrote the same record at the same moment: nothing is saved and the caller gets
    a 409 Conflict (`concurrent_write`), never a server error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        depth = _depth.get()
        token = _depth.set(depth + 1)
        try:
            result = func(*args, **kwargs)
            if depth == 0:
                db.session.commit()
            return result
        except IntegrityError as exc:
            if depth == 0:
                db.session.rollback()
            if not is_concurrent_write(exc):
                raise
            raise ConcurrentWrite() from exc
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


def is_concurrent_write(exc: IntegrityError) -> bool:
    """A unique or foreign-key violation (what a concurrent writer causes), not a broken CHECK (a bug)."""
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        return state in ("23505", "23503")
    return str(exc.orig).startswith(("UNIQUE constraint failed", "FOREIGN KEY constraint failed"))


class ConcurrentWrite(Conflict):
    """A unique or foreign-key violation at commit: another request wrote the same record at the same moment."""

    def __init__(self):
        super().__init__(
            "同一记录刚被另一个请求同时写入，本次未保存任何内容，请刷新后重试",
            "Another request wrote the same record at the same moment; nothing was saved — reload and try again",
            code="concurrent_write",
        )
