"""Each role's day in a real headless Chromium (issue 15, S12): every demo login opens its home page and every list its
menu offers, at desktop (1440 px) and phone (390 px) width, in Chinese and in English. Nothing may overflow the
viewport, no raw code may be read, no page word may be left in Chinese on the English pages; a screenshot of each is
kept under var/screenshots/ for people to look at (not committed)."""

import re
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from app.extensions import db
from app.modules.demo.data import DEMO_PASSWORD
from tests.browser.test_journey_browser import browser, server, settled, sign_in  # noqa: F401
from tests.web.test_raw_codes import demo_vocabulary, found_codes, stored_words, untranslated, visible_text
from tests.web.test_workbench import demo  # noqa: F401

pytestmark = pytest.mark.commits  # a live server in another thread

ROLES = ["bank_user", "huimin_user", "jinan", "shandong", "national", "operator", "admin", "auditor"]
WIDTHS = (1440, 390)
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _menu(driver) -> list[str]:
    """The lists the role's menu offers (the document lookup is a form, the inbox is checked with the rest)."""
    links = driver.find_elements(By.CSS_SELECTOR, "header nav a")
    return [link.get_attribute("href") for link in links]


def _switch_language(driver) -> None:
    driver.execute_script("document.querySelector('header .me form:last-of-type button').click()")
    settled(driver)


def _check(driver, url: str, shot: Path, codes, actions, regions, stored, english: bool) -> list[str]:
    driver.get(url)
    settled(driver)
    driver.save_screenshot(str(shot))
    problems = []
    if driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth"):
        problems.append("overflows the viewport")
    page = driver.page_source
    hits = found_codes(visible_text(page), codes, actions, regions)
    if english:
        hits |= untranslated(page, stored)
    return problems + sorted(hits)


@pytest.mark.parametrize("username", ROLES)
def test_s12_each_role_reads_its_pages_on_desktop_and_phone(demo, server, browser, username):  # noqa: F811
    codes, actions, regions = demo_vocabulary()
    stored = stored_words()
    sign_in(browser, server, username, password=DEMO_PASSWORD)
    urls = [f"{server}/", *_menu(browser)]
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for locale in ("zh", "en"):
        if locale == "en":
            _switch_language(browser)
            codes = {code for code in codes if "_" in code}
        for width in WIDTHS:
            browser.set_window_size(width, 1000)
            for url in urls:
                name = re.sub(r"\W+", "-", url.removeprefix(server).strip("/")) or "home"
                shot = SHOTS / f"{username}-{locale}-{width}-{name}.png"
                found = _check(browser, url, shot, codes, actions, regions, stored, locale == "en")
                if found:
                    problems[f"{locale} {width} {url.removeprefix(server)}"] = found
    db.session.remove()
    assert problems == {}, problems
