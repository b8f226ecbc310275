"""Page through a select() with ?page=N."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, request

from app.extensions import db


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int


def paginate(query, size: int | None = None) -> Page:
    size = size or current_app.config["PAGE_SIZE"]
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(size).offset((page - 1) * size)).unique().all()
    return Page(items=list(items), page=page, pages=max(1, -(-total // size)), total=total)
