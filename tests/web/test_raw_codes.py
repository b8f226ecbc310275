"""No raw code reaches a person (issue 15 items 3 and 4, S12): every page a demo user reaches from the home page —
following its links — is read as a person reads it (the visible text, not the markup), in Chinese and in English, and
no status, kind, cause, outcome, role or other enum value, and no audit action code, may appear there; on the English
pages no heading, column title, term, button or menu entry is left in Chinese (an untranslated message)."""

import html
import re
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.enums import TitledEnum
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.regions.models import Region
from tests.web.test_workbench import demo, demo_login  # noqa: F401  (fixture)

PAGES_PER_ROLE = 60

SKIP = re.compile(r"\.(pdf|csv|png|mp4|mov)$|/download|/file$|/export|/logout|/locale/|/static/")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def raw_codes() -> set[str]:
    """Every enum value that is a code rather than a word a person would write (lower-case ASCII, with an underscore
    or longer than a short acronym)."""
    values = {member.value for enum in _subclasses(TitledEnum) for member in enum}
    return {v for v in values if re.fullmatch(r"[a-z][a-z0-9_]{2,}", v) and v not in {"app", "sdk", "ios", "api"}}


def visible_text(page: str) -> str:
    """What a person reads: no markup, scripts, styles or charts; `<code>` marks what integrators type on purpose (a
    service code in a gateway path) and is left out."""
    page = re.sub(r"<(script|style|svg|code)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def links(page: str) -> list[str]:
    return [
        html.unescape(href)
        for href in re.findall(r'<a [^>]*href="([^"#]+)"', page)
        if href.startswith("/") and not SKIP.search(href)
    ]


def crawl(client, limit: int = PAGES_PER_ROLE) -> dict[str, str]:
    seen, queue, pages = set(), ["/"], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        path = urlparse(url).path
        if url in seen or re.sub(r"\d+", "N", path) in {
            re.sub(r"\d+", "N", urlparse(u).path) for u in pages if u != url and len(pages) > 40
        }:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.content_type:
            pages[url] = response.text
        response.close()
        if url not in pages:
            continue
        queue += [link for link in links(response.text) if link not in seen]
    return pages


CHROME = re.compile(r"<(th|h1|h2|h3|dt|legend|summary|button|nav)\b((?:(?!lang=)[^>])*)>(.*?)</\1>", re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")


def stored_words() -> list[str]:
    """Every text the database holds in Chinese — names of channels, companies, people, titles of notices — longest
    first: what people entered is theirs, in whatever language they wrote it."""
    words = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
        for row in db.session.execute(sa.select(*columns)) if columns else ():
            words |= {value for value in row if isinstance(value, str) and CJK.search(value)}
    return sorted(words, key=len, reverse=True)


def untranslated(page: str, stored: list[str]) -> set[str]:
    """The page's own words — headings, column titles, terms, buttons, the menu — still in Chinese once the stored
    data is taken out; an element marked with its own `lang` (the switch to 中文) is in that language on purpose."""
    page = re.sub(r"<(script|style|svg|code)\b.*?</\1>", " ", page, flags=re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", " ", inner)) for _, _attributes, inner in CHROME.findall(page)]
    left = set()
    for text in texts:
        for word in (w for w in stored if CJK.search(text) and w in text):
            text = text.replace(word, " ")
        if CJK.search(text):
            left.add(" ".join(text.split()))
    return left


def found_codes(text: str, codes: set[str], actions: set[str], regions: set[str]) -> set[str]:
    words = set(re.findall(r"(?<![A-Za-z0-9_.@/-])[a-z][a-z0-9_]*(?:\.[a-z_]+)*(?![A-Za-z0-9_@/-])", text))
    numbers = set(re.findall(r"(?<![\d-])\d{6}(?![\d-])", text))  # a region code instead of its name
    return (words & codes) | (words & actions) | (numbers & regions) | set(re.findall(r"#org \d+", text))


def demo_vocabulary() -> tuple[set[str], set[str], set[str]]:
    """What must not be read on a page: the enum codes (not the demo logins named like roles), the audit actions
    recorded, the region codes."""
    codes = raw_codes() - set(db.session.scalars(db.select(User.username)))
    actions = set(db.session.scalars(db.select(AuditEntry.action).distinct()))
    regions = set(db.session.scalars(db.select(Region.code)))
    return codes, actions, regions


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize(
    "username", ["bank_user", "huimin_user", "operator", "shandong", "jinan", "national", "admin", "auditor"]
)
def test_s12_no_page_shows_a_raw_code(demo, client, username, locale):  # noqa: F811
    codes, actions, regions = demo_vocabulary()
    demo_login(client, username)
    stored = stored_words()
    if locale == "en":  # English titles are words like the plain codes ("Test intake"): only codes with underscores
        client.post("/locale/en")
        codes = {code for code in codes if "_" in code}
    problems = {}
    for url, page in crawl(client).items():
        hits = found_codes(visible_text(page), codes, actions, regions)
        if locale == "en":
            hits |= untranslated(page, stored)
        if hits:
            problems[url] = sorted(hits)
    assert problems == {}, problems
