"""The application page and the application's API body are composed of parts registered by later domains (the way
the channel page is, `channels/panels.py`): the review chain adds the progress and the timeline (S8), the documents
domain the appendix forms (C7.4). The aggregate knows neither."""

from collections.abc import Callable

_PAGE_PARTS: list[Callable] = []
_API_PARTS: list[Callable] = []


def register_page_part(part: Callable) -> None:
    """`part(app, user) -> dict`: template variables the application page gets."""
    if part not in _PAGE_PARTS:
        _PAGE_PARTS.append(part)


def register_api_part(part: Callable) -> None:
    """`part(app, user) -> dict`: fields the application's API body gets."""
    if part not in _API_PARTS:
        _API_PARTS.append(part)


def page_parts(app, user) -> dict:
    return _merged(_PAGE_PARTS, app, user)


def api_parts(app, user) -> dict:
    return _merged(_API_PARTS, app, user)


def _merged(parts: list[Callable], app, user) -> dict:
    if not parts:
        raise RuntimeError("no part of the application page is registered (app.modules.reviews is not loaded)")
    merged: dict = {}
    for part in parts:
        merged |= part(app, user)
    return merged
