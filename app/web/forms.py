"""Helpers shared by WTForms views."""

from flask import flash

from app.core.errors import DomainError
from app.core.i18n import current_locale


def apply_error(form, exc: DomainError) -> None:
    """Show a domain error inline on the fields it names, and as a message at the top."""
    flash(exc.message(current_locale()), "danger")
    for name, problems in (exc.fields or {}).items():
        field = getattr(form, name.split(".")[0], None)
        if field is not None and hasattr(field, "errors"):
            errors = list(field.errors) if isinstance(field.errors, list | tuple) else []
            field.errors = [*errors, exc.message(current_locale()) if len(exc.fields) == 1 else str(problems[0])]
