"""Intake kinds — test intake (C2.6), production intake (C2.8), change of scope (C4.1) — share one application
aggregate and one review chain. What differs between them is registered here by the domain of each kind; the review
chain asks `kind_of(app)` and branches on no kind.

Hooks of a kind:
- `routed_codes(app, row)`: the regions whose centers review a row (default: every region it requests);
- `operator_step`: (Chinese, English) — where the operator's step is done instead of the review queue;
- `national_approval(app, grant)`: what the national center's approval does; `grant()` applies its grant (C2.3);
- `returned(app)`: what a return to the applicant does besides closing the round (C2.10);
- `review_context(app)`: what the reviewer's page shows besides the application;
- `submit(user, app)`: the kind's own submission (None: the test-intake submission of `applications.operations`);
- `forms(app)`: the appendix forms the application has (C7.1–C7.3; default Form 1, and Form 2 for a social channel);
- `edit_endpoint`: the page where the applicant edits it (None: the test-intake form).

When a round opens, the chain that reviews it is built by what `reviews` registered with `register_round_opener`;
when the applicant withdraws, its open steps are cancelled by what it registered with `register_round_canceller`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.core.enums import ApplicationKind, ChannelCategory


def _requested(app, row) -> list[str]:
    return row.region_codes


def _nothing(*_args) -> None:
    return None


def _forms_1_and_2(app) -> list[str]:
    return ["form1", "form2"] if app.category == ChannelCategory.social else ["form1"]


@dataclass(frozen=True)
class IntakeKind:
    operator_step: tuple[str, str]
    routed_codes: Callable = _requested
    national_approval: Callable = _nothing
    returned: Callable = _nothing
    review_context: Callable = lambda app: {}
    submit: Callable | None = None
    forms: Callable = _forms_1_and_2
    edit_endpoint: str | None = None


KINDS: dict[ApplicationKind, IntakeKind] = {}


def register_kind(kind: ApplicationKind, **hooks) -> None:
    KINDS[kind] = IntakeKind(**hooks)


def kind_of(app) -> IntakeKind:
    return KINDS[ApplicationKind(app.kind)]


ROUND_OPENERS: list[Callable] = []


def register_round_opener(open_chain: Callable) -> None:
    if open_chain not in ROUND_OPENERS:
        ROUND_OPENERS.append(open_chain)


def round_opened(app) -> None:
    """A review round opened (C2.6, C2.8, C4.1): whoever registered builds its chain."""
    if not ROUND_OPENERS:
        raise RuntimeError("no review chain is registered (app.modules.reviews is not loaded)")
    for open_chain in ROUND_OPENERS:
        open_chain(app)


ROUND_CANCELLERS: list[Callable] = []


def register_round_canceller(cancel: Callable) -> None:
    if cancel not in ROUND_CANCELLERS:
        ROUND_CANCELLERS.append(cancel)


def round_cancelled(app) -> None:
    """The applicant withdrew the application: whoever registered ends the open steps of its round."""
    for cancel in ROUND_CANCELLERS:
        cancel(app)


# The application page and its progress, per kind (registered by the kind's domain, views and operations).
_PAGES: dict[ApplicationKind, Callable] = {}
_OPERATOR_ACTIONS: dict[ApplicationKind, Callable] = {}


def register_page(kind: ApplicationKind, context: Callable) -> None:
    """`context(app, user) -> (problems, extra)`: what the application page shows for this kind."""
    _PAGES[kind] = context


def page_context(app, user) -> tuple[list, dict]:
    context = _PAGES.get(ApplicationKind(app.kind))
    return context(app, user) if context else ([], {})


def register_operator_actions(kind: ApplicationKind, actions: Callable) -> None:
    """`actions(app, user) -> {"can_issue" | "can_verify" | "can_go_live": bool}`: the operator's step of this kind."""
    _OPERATOR_ACTIONS[kind] = actions


def operator_actions(app, user) -> dict:
    actions = _OPERATOR_ACTIONS.get(ApplicationKind(app.kind))
    return actions(app, user) if actions else {}
