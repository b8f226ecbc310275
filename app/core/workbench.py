"""The to-do workbench (待办工作台, S12, S13): each domain registers the cards of the work it holds for a person — what
waits, how much, the most urgent items with their deadlines or how long they have waited, and the list where the work
is done. The home page asks `cards_for(user)` and knows no domain.

A card builder runs a constant number of statements (a count and the first few items), whatever the volume; it is
offered to whoever holds its permission and may return None when it does not apply to this user.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from app.core.permissions import Permission, may
from app.core.timeutil import today, utcnow
from app.extensions import db

ITEMS = 5  # items shown on a card; the count says how many there are


@dataclass
class Item:
    label: str
    url: str
    due: date | None = None  # a deadline: shown, and overdue when past
    since: datetime | date | None = None  # waiting since: shown as days waited (S13 timeliness)

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < today()

    @property
    def waited_days(self) -> int | None:
        if self.since is None:
            return None
        start = self.since.date() if isinstance(self.since, datetime) else self.since
        return (utcnow().date() - start).days


@dataclass
class Card:
    key: str
    title: tuple[str, str]  # (Chinese, English)
    count: int
    url: str
    items: list[Item] = field(default_factory=list)
    hint: tuple[str, str] | None = None  # what to do, in a short sentence
    order: int = 100

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    def title_in(self, locale: str) -> str:
        return self.title[1] if locale == "en" else self.title[0]

    def hint_in(self, locale: str) -> str:
        return "" if self.hint is None else self.hint[1] if locale == "en" else self.hint[0]


@dataclass(frozen=True)
class _Registered:
    key: str
    permission: Permission
    order: int
    build: Callable


_CARDS: dict[str, _Registered] = {}


def register_card(key: str, build: Callable, *, permission: Permission, order: int = 100) -> None:
    """`build(user) -> Card | None`; `order` places cards of equal urgency (lower first)."""
    _CARDS[key] = _Registered(key, permission, order, build)


def registered_cards() -> list[str]:
    return sorted(_CARDS)


def cards_for(user) -> list[Card]:
    """The user's cards, most urgent first: overdue items, then work waiting, then the empty ones."""
    cards = []
    for registered in sorted(_CARDS.values(), key=lambda r: r.order):
        if not may(user, registered.permission):
            continue
        card = registered.build(user)
        if card is not None:
            card.order = registered.order
            cards.append(card)
    return sorted(cards, key=lambda c: (c.count == 0, -c.overdue, c.order))


def card_from(
    query: sa.Select,
    *,
    key: str,
    title: tuple[str, str],
    url: str,
    item: Callable,
    order_by: tuple,
    hint: tuple[str, str] | None = None,
    load: tuple = (),
) -> Card:
    """A card of the rows `query` selects: their number (one statement) and the first ITEMS of them in `order_by`
    (one more, with the relations `item` reads loaded by `load` options), each made an Item by `item(row)`."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.options(*load).order_by(*order_by).limit(ITEMS)).all() if count else []
    return Card(key, title, count, url, [item(row) for row in rows], hint)
