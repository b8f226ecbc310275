"""The channel page is assembled from panels the later domains register at start-up (their agreements, keys,
figures, incidents, applications) and from the actions they offer the owner; the page imports none of them.

A panel is a template and a function `(channel, user) -> dict | None` giving its context (None: not shown); an
action is a template and a function `(channel, user) -> bool` saying whether it is offered.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    order: int
    template: str
    context: Callable


PANELS: list[Part] = []
ACTIONS: list[Part] = []


def register_panel(order: int, template: str, context: Callable) -> None:
    PANELS.append(Part(order, template, context))
    PANELS.sort(key=lambda part: part.order)


def register_action(order: int, template: str, offered: Callable) -> None:
    ACTIONS.append(Part(order, template, offered))
    ACTIONS.sort(key=lambda part: part.order)


def panels_of(channel, user) -> list[tuple[str, dict]]:
    shown = [(part.template, part.context(channel, user)) for part in PANELS]
    return [(template, context) for template, context in shown if context is not None]


def actions_of(channel, user) -> list[str]:
    return [part.template for part in ACTIONS if part.context(channel, user)]
