"""Helpers shared by WTForms views."""

from flask import flash
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, SelectChoice
from wtforms.i18n import get_translations

from app.core.errors import DomainError
from app.core.i18n import current_locale, gettext


class BaseForm(FlaskForm):
    """Every form of the service: CSRF-protected (Flask-WTF) and with WTForms' own messages ("This field is
    required.") in the user's language — Chinese on the Chinese pages (S12)."""

    class Meta:
        def get_translations(self, form):
            return get_translations(["en"] if current_locale() == "en" else ["zh"])


def run_posted(form, action, done: str) -> None:
    """Run `action(form)` when the posted form is valid and flash the outcome: `done`, the domain refusal in the
    user's language, or that the form is incomplete. The view then redirects back to the page the form was on."""
    if not form.validate_on_submit():
        flash(gettext("表单有误，请检查标红的项目"), "danger")
        return
    try:
        action(form)
    except DomainError as exc:
        flash(exc.message(current_locale()), "danger")
    else:
        flash(done, "success")


def apply_error(form, exc: DomainError) -> None:
    """Show a domain error at the top and inline on every field it names ("rows.0.access_mode" included)."""
    message = exc.message(current_locale())
    flash(message, "danger")
    for path, problems in (exc.fields or {}).items():
        field = _resolve(form, path)
        if field is not None:
            detail = message if len(exc.fields) == 1 else "; ".join(map(str, problems))
            field.errors = [*(field.errors if isinstance(field.errors, list | tuple) else []), detail]


def _resolve(form, path: str):
    """The field at a dotted path through FieldLists (by index) and FormFields (by name)."""
    node = form
    for part in path.split("."):
        if isinstance(node, FieldList):
            node = node.entries[int(part)] if part.isdigit() and int(part) < len(node.entries) else None
        elif isinstance(node, FormField):
            node = node.form._fields.get(part)
        elif hasattr(node, "_fields"):
            node = node._fields.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def choices(pairs) -> list:
    """WTForms choices from (value, label) pairs, or from {group label: pairs} for <optgroup>s."""
    if isinstance(pairs, dict):
        return [
            SelectChoice(value=v, label=label, optgroup=group) for group, items in pairs.items() for v, label in items
        ]
    return [SelectChoice(value=v, label=label) for v, label in pairs]


def enum_choices(enum_cls) -> list:
    """Choices of a titled enum in the current locale."""
    return choices(enum_cls.choices(current_locale()))
