"""Chinese first, English available (S12), through Flask-Babel: every marked message has English in the catalogue,
the compiled catalogue is the current one, form labels and WTForms' own messages follow the page's language."""

import re
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import session

from app.core.i18n import format_number, gettext
from app.modules.accounts.forms import LoginForm, OrganisationForm, ResetPasswordForm, UserForm
from app.modules.applications.forms import ApplicationForm, AttachmentForm, Level2Form, RowForm, SocialForm
from app.modules.channels.forms import ServiceForm
from app.modules.reviews.forms import DecisionForm
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # as `make messages` (-k _l)
CJK = re.compile(r"[\u4e00-\u9fff]")
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


@cache
def _extracted() -> frozenset[str]:
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)
    return frozenset(message if isinstance(message, str) else message[0] for _, _, message, _, _ in found)


def _catalogue():
    with open(CATALOGUE, "rb") as po:
        return read_po(po, locale="en")


def test_s12_every_marked_message_has_english_in_the_catalogue():
    catalogue = _catalogue()
    untranslated = sorted(
        text for text in _extracted() if not (catalogue.get(text) and catalogue[text].string) or catalogue[text].fuzzy
    )
    assert untranslated == [], "run `make messages` and translate these in " + str(CATALOGUE.relative_to(ROOT))


def test_s12_the_catalogue_holds_no_message_the_code_no_longer_uses():
    used = _extracted()
    obsolete = sorted(m.id for m in _catalogue() if m.id and m.id not in used)
    assert obsolete == []


def test_s12_english_is_never_chinese_and_keeps_the_placeholders():
    for message in _catalogue():
        if message.id:
            assert not CJK.search(message.string), message.id
            assert set(re.findall(r"\{\w+\}", message.id)) == set(re.findall(r"\{\w+\}", message.string)), message.id


def test_s12_the_compiled_catalogue_is_the_current_one():
    """`make install` compiles the catalogue; a stale .mo would show yesterday's English."""
    compiled = read_mo(BytesIO(CATALOGUE.with_suffix(".mo").read_bytes()))
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in _catalogue() if m.id}


def test_s12_messages_follow_the_language_chosen(app):
    with app.test_request_context("/"):
        assert gettext("登录") == "登录"
    with app.test_request_context("/"):
        session["locale"] = "en"
        assert gettext("登录") == "Log in"
        assert gettext("{n} 天", n=3) == "3 days"


def test_s12_the_api_follows_accept_language(app):
    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "en-GB,en;q=0.9"}):
        assert gettext("登录") == "Log in"
    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "zh-CN"}):
        assert gettext("登录") == "登录"


def test_s12_every_form_label_is_english_on_the_english_pages(app):
    with app.test_request_context("/"):
        session["locale"] = "en"
        labels = {str(field.label.text) for form_cls in FORMS for field in form_cls()}
    assert sorted(label for label in labels if CJK.search(label)) == []


def test_s12_numbers_are_grouped_as_the_language_writes_them(app):
    with app.test_request_context("/"):
        assert format_number(8_400_000) == "8,400,000"
        assert format_number(1234.56) == "1,234.6"


def test_s12_wtforms_own_messages_follow_the_page_language(world, client):
    login(client, "admin")
    page = client.post("/admin/users/new", data={"username": "", "display_name": "", "password": ""}).text
    assert "该字段是必填字段。" in page and "This field is required." not in page
    client.post("/locale/en")
    page = client.post("/admin/users/new", data={"username": "", "display_name": "", "password": ""}).text
    assert "This field is required." in page
