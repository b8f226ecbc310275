"""Each role's day in a real headless Chromium (issue 15, S12): every demo login opens its home page and every list its
menu offers, at desktop (1440 px) and phone (390 px) width, in Chinese and in English. Nothing may overflow the
viewport, no raw code may be read, no page word may be left in Chinese on the English pages; a screenshot of each is
kept under var/screenshots/ for people to look at (not committed)."""

import re
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from app.extensions import db
from app.modules.accounts.operations import totp_secret
from app.modules.demo.data import DEMO_PASSWORD
from tests.browser.test_journey_browser import browser, server, settled, sign_in  # noqa: F401
from tests.conftest import next_code
from tests.web.test_raw_codes import demo_vocabulary, found_codes, stored_words, untranslated, visible_text
from tests.web.test_workbench import demo  # noqa: F401

pytestmark = pytest.mark.commits  # a live server in another thread

ROLES = ["bank_user", "huimin_user", "jinan", "shandong", "national", "operator", "admin", "auditor"]
WIDTHS = (1440, 390)
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _demo_code(user) -> str:
    """The next unused code of a demo account's authenticator (the clock frozen at its step if that lies ahead)."""
    return next_code(user, totp_secret(user))


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
    sign_in(browser, server, username, password=DEMO_PASSWORD, code=_demo_code)
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


def test_s12_the_menu_is_grouped_by_task_and_opens_on_desktop_and_phone(demo, server, browser):  # noqa: F811
    """S12: at most three levels — the group (入网 / 渠道 / 运营监测 / 安全 / 系统), its page, the page's parts; one
    group open at a time; on a phone the menu folds behind one button and the groups open inside it."""
    sign_in(browser, server, "operator", password=DEMO_PASSWORD, code=_demo_code)
    groups = browser.find_elements(By.CSS_SELECTOR, "header nav details.menu-group")
    assert [g.find_element(By.TAG_NAME, "summary").text for g in groups] == ["入网", "渠道", "运营监测", "安全"]
    intake, channels = groups[0], groups[1]
    intake.find_element(By.TAG_NAME, "summary").click()
    assert intake.find_element(By.LINK_TEXT, "入网申请").is_displayed()
    channels.find_element(By.TAG_NAME, "summary").click()
    assert channels.find_element(By.LINK_TEXT, "渠道退出").is_displayed()
    assert not intake.find_element(By.CSS_SELECTOR, 'a[href="/applications"]').is_displayed()  # one at a time
    browser.save_screenshot(str(SHOTS / "operator-zh-1440-menu-open.png"))
    browser.find_element(By.TAG_NAME, "h1").click()
    assert not channels.find_element(By.CSS_SELECTOR, 'a[href="/exits"]').is_displayed()  # a click elsewhere closes

    browser.set_window_size(390, 844)
    assert not groups[0].is_displayed()
    browser.find_element(By.CSS_SELECTOR, "label.nav-button").click()
    channels.find_element(By.TAG_NAME, "summary").click()
    channels.find_element(By.LINK_TEXT, "渠道退出").click()
    settled(browser)
    assert browser.current_url.endswith("/exits")
    assert not browser.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
    browser.find_element(By.CSS_SELECTOR, "label.nav-button").click()
    browser.save_screenshot(str(SHOTS / "operator-zh-390-menu-open.png"))
    db.session.remove()
