"""Page through a select() with ?page=N&per_page=M (UI and API alike)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, request

from app.extensions import db

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int

    def as_dict(self, schema) -> dict:
        return {"items": schema.dump(self.items), "page": self.page, "pages": self.pages, "total": self.total}


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def paginate(query) -> Page:
    """One page of `query` (which must be ordered); a bad or missing page number means page 1."""
    size = min(MAX_PER_PAGE, max(1, _int_arg("per_page", current_app.config["PAGE_SIZE"])))
    page = min(MAX_PAGE, max(1, _int_arg("page", 1)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(size).offset((page - 1) * size)).unique().all()
    return Page(items=list(items), page=page, pages=max(1, -(-total // size)), total=total)
