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
