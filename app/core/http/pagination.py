"""Page through a select() with ?page=N&per_page=M, and read list filters (UI and API alike). A filter value that is
not one of its choices, or a page that is not a number, is a 422 naming the parameter — never silently ignored."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, request

from app.core.errors import RuleViolation
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


def _refused(name: str, value: str, expected: str) -> RuleViolation:
    return RuleViolation(
        f"参数 {name} 的值无效：{value[:40]}（应为{expected}）",
        f"Invalid value for {name}: {value[:40]} (expected {expected})",
        code="validation_error",
        fields={name: [f"expected {expected}"]},
    )


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if not raw.strip():
        return default
    if not (raw.strip().isascii() and raw.strip().isdigit()):
        raise _refused(name, raw, "a whole number")
    return int(raw.strip()[:12])


def choice_arg(name: str, choices) -> str | None:
    """The filter `name` if given: one of `choices` (an enum class or a collection of strings), else 422."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    allowed = list(choices.__members__) if hasattr(choices, "__members__") else list(choices)
    if raw not in allowed:
        raise _refused(name, raw, "one of " + ", ".join(allowed))
    return raw


def paginate(query, rows: bool = False) -> Page:
    """One page of `query` (which must be ordered); a bad or missing page number means page 1. `rows`: the items are
    whole rows (an entity with computed columns), not the first column alone."""
    size = min(MAX_PER_PAGE, max(1, _int_arg("per_page", current_app.config["PAGE_SIZE"])))
    page = min(MAX_PAGE, max(1, _int_arg("page", 1)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    window = query.limit(size).offset((page - 1) * size)
    items = db.session.execute(window).unique().all() if rows else db.session.scalars(window).unique().all()
    return Page(items=list(items), page=page, pages=max(1, -(-total // size)), total=total)
