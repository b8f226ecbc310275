"""Chinese first, English available (S12). Source strings are Chinese; EN maps them to English.

The UI is Chinese until the user switches (the choice is kept in the session); the API answers in English only when
the request's Accept-Language asks for it.
"""

from flask import current_app, has_request_context, request, session

from app.core.i18n_en import EN


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
    result = EN.get(text, text) if current_locale() == "en" else text
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
    locale = current_locale()
    if hasattr(value, "title_zh"):
        return value.title(locale)
    zh, en = CODES.get(vocabulary or "", {}).get(str(value), (str(value), str(value)))
    return en if locale == "en" else zh
