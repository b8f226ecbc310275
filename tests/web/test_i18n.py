"""Chinese first, English available (S12): every UI string has an English translation."""

import re
from pathlib import Path

from app.core.i18n_en import EN
from app.modules.accounts.forms import LoginForm, OrganisationForm, ResetPasswordForm, UserForm
from app.modules.applications.forms import ApplicationForm, AttachmentForm, Level2Form, RowForm, SocialForm
from app.modules.channels.forms import ServiceForm
from app.modules.reviews.forms import DecisionForm

FORMS = (
    ApplicationForm,
    RowForm,
    SocialForm,
    Level2Form,
    AttachmentForm,
    LoginForm,
    OrganisationForm,
    ResetPasswordForm,
    UserForm,
    ServiceForm,
    DecisionForm,
)

ROOT = Path(__file__).resolve().parents[2] / "app"
CALL = re.compile(r"""(?<![A-Za-z0-9])_\(\s*(['"])(.+?)\1""")


def _strings():
    for path in list(ROOT.rglob("*.html")) + list(ROOT.rglob("*.py")):
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            yield path.name, match.group(2)


def test_s12_every_ui_string_has_an_english_translation():
    missing = sorted({(name, text) for name, text in _strings() if text not in EN})
    assert missing == []


def test_s12_every_form_label_has_an_english_translation(app):
    labels = set()
    with app.test_request_context():
        for form_cls in FORMS:
            form = form_cls()
            labels |= {field.label.text for field in form}
    missing = sorted(label for label in labels if re.search(r"[\u4e00-\u9fff]", label) and label not in EN)
    assert missing == []


def test_s12_wtforms_own_messages_follow_the_page_language(world, client):
    from tests.conftest import login

    login(client, "admin")
    page = client.post("/admin/users/new", data={"username": "", "display_name": "", "password": ""}).text
    assert "该字段是必填字段。" in page and "This field is required." not in page
    client.post("/locale/en")
    page = client.post("/admin/users/new", data={"username": "", "display_name": "", "password": ""}).text
    assert "This field is required." in page
