"""Chinese first, English available (S12), through Flask-Babel.

Source strings are Chinese, marked with `_()` (translated now), `_l()` (lazily: form labels, translated when rendered)
or `N_()` (only marked: translated where they are shown); `pybabel` extracts them from the code and the templates
(`babel.cfg`, `make messages`) into `app/translations/en/LC_MESSAGES/messages.po`, the English catalogue, compiled by
`make install`. The UI is Chinese until the user switches (the choice is kept in the session); the API answers in
English only when the request's Accept-Language asks for it.
"""

from flask import current_app, has_request_context, request, session
from flask_babel import Babel, get_locale, lazy_gettext, refresh
from flask_babel import gettext as translate

babel = Babel()
_l = lazy_gettext


def N_(text: str) -> str:
    """Marks a source string for extraction; it is translated where it is shown (`_(value)`)."""
    return text


def init_i18n(app) -> None:
    """Flask-Babel picks the catalogue by `current_locale`."""
    babel.init_app(app, locale_selector=current_locale, default_translation_directories="translations")


def _in_step() -> None:
    """Flask-Babel keeps the locale per application context, which may outlive a request (the CLI, tests) or see the
    user switch languages: follow the user's current choice."""
    if has_request_context() and str(get_locale()) != current_locale():
        refresh()


def current_locale() -> str:
    if not has_request_context():
        return "zh"
    chosen = session.get("locale")
    if chosen in ("zh", "en"):
        return chosen
    if request.path.startswith("/api/"):
        return "en" if request.headers.get("Accept-Language", "").lower().startswith("en") else "zh"
    return current_app.config.get("DEFAULT_LOCALE", "zh")


def gettext(text: str, **values) -> str:
    """The text in the user's language; `{name}` placeholders are filled from `values` after translation."""
    _in_step()
    result = translate(str(text))
    return result.format(**values) if values else result


_ = gettext


def format_number(value) -> str:
    """Numbers as people read them: thousands separated (12,345), at most one decimal (1,234.5); none is a dash."""
    if value is None or value == "":
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


# Codes stored as plain strings (not TitledEnum columns), with the titles people read, registered by their domain:
# {vocabulary: {code: (Chinese, English)}}. Templates show them with the `code` filter: {{ r.source|code('…') }}.
CODES: dict[str, dict[str, tuple[str, str]]] = {}


def register_codes(vocabulary: str, titles: dict[str, tuple[str, str]]) -> None:
    CODES.setdefault(vocabulary, {}).update(titles)


def code_title(value, vocabulary: str | None = None) -> str:
    """A code as a person reads it: a TitledEnum by its title, a registered code by its title, in the user's language;
    nothing becomes a dash."""
    if value is None or value == "":
        return "-"
    if hasattr(value, "title_zh"):
        return value.title(current_locale())
    return localized(CODES.get(vocabulary or "", {}).get(str(value), (str(value), str(value))))


def localized(titles) -> str:
    """A (Chinese, English) title of a domain vocabulary, kept beside its code, in the user's language."""
    return titles[1] if current_locale() == "en" else titles[0]
