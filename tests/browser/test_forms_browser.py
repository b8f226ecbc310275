"""Forms that help (issue 15 item 7) in a real headless Chromium: Form 2 shows only for a social channel and the
level-2 supplement only for a level-2 channel; required fields are marked; nothing overflows a phone's width."""

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from app.extensions import db
from app.modules.exits.models import Exit
from tests.browser.test_journey_browser import browser, server, sign_in  # noqa: F401
from tests.conftest import registered_as
from tests.journeys import channel_in_testing

pytestmark = pytest.mark.commits  # a live server in another thread


def _shown(driver, rule: str) -> bool:
    return driver.find_element(By.CSS_SELECTOR, f'fieldset[data-show-when="{rule}"]').is_displayed()


def test_c7_2_form_2_and_the_level2_supplement_show_only_when_they_apply(world, server, browser):  # noqa: F811
    sign_in(browser, server, "company_a")
    browser.get(f"{server}/applications/new")
    assert Select(browser.find_element(By.NAME, "category")).first_selected_option.get_attribute("value") == "social"
    assert _shown(browser, "category=social") and not _shown(browser, "level=2")
    registered_as(world.company_a, "bank")
    db.session.commit()
    browser.get(f"{server}/applications/new")
    assert not _shown(browser, "category=social")
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


def test_c6_4_an_irreversible_action_asks_before_it_is_sent(world, server, browser):  # noqa: F811
    """The confirmation runs from the app's own script: the CSP blocks inline handlers (they used to be skipped)."""
    channel = channel_in_testing(world)
    sign_in(browser, server, "operator")
    browser.get(f"{server}/exits")
    Select(browser.find_element(By.NAME, "channel_id")).select_by_value(str(channel.id))
    browser.find_element(By.NAME, "reason").send_keys("多家媒体报道其冒用名义收费")
    browser.find_element(By.XPATH, "//form[@data-confirm]//button[@type='submit']").click()
    WebDriverWait(browser, 5).until(expected_conditions.alert_is_present())
    browser.switch_to.alert.dismiss()  # changed their mind: nothing is sent
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Exit)) == 0
    browser.find_element(By.XPATH, "//form[@data-confirm]//button[@type='submit']").click()
    WebDriverWait(browser, 5).until(expected_conditions.alert_is_present())
    browser.switch_to.alert.accept()
    WebDriverWait(browser, 10).until(lambda d: db.session.scalar(sa.select(sa.func.count()).select_from(Exit)) == 1)


def test_c2_3_regions_are_found_by_searching_and_ticked(world, server, browser):  # noqa: F811
    """Issue 15 item 7: the province → city picker replaces the Ctrl-click list; what is ticked is what is sent."""
    sign_in(browser, server, "company_a")
    browser.get(f"{server}/applications/new")
    picker = browser.find_element(By.CSS_SELECTOR, ".picker")
    assert not browser.find_element(By.NAME, "rows-0-regions").is_displayed()  # the list itself is hidden
    picker.find_element(By.CSS_SELECTOR, "input[type=search]").send_keys("青岛")
    shown = [label.text for label in picker.find_elements(By.CSS_SELECTOR, "label") if label.is_displayed()]
    assert shown == ["青岛市"]
    picker.find_element(By.CSS_SELECTOR, 'input[type=checkbox][value="370200"]').click()
    assert "青岛市" in picker.find_element(By.CSS_SELECTOR, ".picker-chosen").text
    selected = browser.execute_script(
        "return Array.from(document.querySelector('[name=rows-0-regions]').selectedOptions).map(o => o.value)"
    )
    assert selected == ["370200"]
