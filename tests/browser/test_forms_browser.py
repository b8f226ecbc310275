"""Forms that help (issue 15 item 7) in a real headless Chromium: Form 2 shows only for a social channel and the
level-2 supplement only for a level-2 channel; required fields are marked; nothing overflows a phone's width."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.test_journey_browser import browser, server, sign_in  # noqa: F401

pytestmark = pytest.mark.commits  # a live server in another thread


def _shown(driver, rule: str) -> bool:
    return driver.find_element(By.CSS_SELECTOR, f'fieldset[data-show-when="{rule}"]').is_displayed()


def test_c7_2_form_2_and_the_level2_supplement_show_only_when_they_apply(world, server, browser):  # noqa: F811
    sign_in(browser, server, "company_a")
    browser.get(f"{server}/applications/new")
    category = Select(browser.find_element(By.NAME, "category"))
    category.select_by_value("bank")
    assert not _shown(browser, "category=social") and not _shown(browser, "level=2")
    category.select_by_value("social")
    assert _shown(browser, "category=social")
    browser.find_element(By.CSS_SELECTOR, 'input[name="level"][value="2"]').click()
    assert _shown(browser, "level=2")
    assert browser.find_elements(By.CSS_SELECTOR, ".field .required")  # required fields are marked


def test_s12_no_page_overflows_a_phone(world, server, browser):  # noqa: F811
    browser.set_window_size(390, 844)
    sign_in(browser, server, "company_a")
    for path in ("/", "/applications", "/applications/new", "/channels", "/work-orders", "/notices"):
        browser.get(f"{server}{path}")
        wide = browser.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
        assert not wide, path
    assert browser.find_element(By.CSS_SELECTOR, "label.nav-button").is_displayed()  # the menu folds away
