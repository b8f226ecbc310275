"""Chinese first, English available (S12). Source strings are Chinese; EN maps them to English.

The locale comes from the session (UI switch) or, for the API, the Accept-Language header.
"""

from flask import has_request_context, request, session

from app.core.i18n_en import EN


def current_locale() -> str:
    if not has_request_context():
        return "zh"
    chosen = session.get("locale")
    if chosen in ("zh", "en"):
        return chosen
    header = request.headers.get("Accept-Language", "")
    return "en" if header.lower().startswith("en") else "zh"


def gettext(text: str, **values) -> str:
    result = EN.get(text, text) if current_locale() == "en" else text
    return result.format(**values) if values else result


_ = gettext
