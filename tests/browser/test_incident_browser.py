"""An incident in a real headless Chromium with CSRF on (C5.2, C5.5, S10): the company reports it, the operator confirms
it — the page asks before the consequences apply — choosing the service to suspend, the company files its
rectification, the operator accepts it and restores the service."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.test_journey_browser import (  # noqa: F401
    browser,
    click_and_wait,
    fill,
    server,
    sign_in,
    sign_out,
)
from tests.journeys import live_channel

pytestmark = pytest.mark.commits  # real commits from several connections or processes


def _accept_confirmations(driver):
    """S10: the page asks before a dangerous action; answer yes as the user would."""
    driver.execute_script("window.confirm = () => true")


def test_c5_5_incident_journey_in_a_real_browser(world, server, browser):  # noqa: F811
    channel, _key = live_channel(world)
    sign_in(browser, server, "company_a")
    browser.get(f"{server}/incidents?channel_id={channel.id}")
    Select(browser.find_element(By.NAME, "incident_type")).select_by_value("page_tampering")
    browser.execute_script("document.getElementsByName('discovered_at')[0].value = '2026-11-20T10:00'")
    fill(browser, "description", "活动页被篡改")
    click_and_wait(browser, browser.find_element(By.XPATH, "//main//button[text()='提交']"), "已报告")
    incident_url = browser.current_url
    sign_out(browser)

    sign_in(browser, server, "operator")
    browser.get(incident_url)
    browser.find_element(By.CSS_SELECTOR, "input[name=services][value=qr_login]").click()
    _accept_confirmations(browser)
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='认定并处置']"), "已认定，处置已生效")
    sign_out(browser)

    sign_in(browser, server, "company_a")
    browser.get(incident_url)
    fill(browser, "body", "已恢复页面并加固内容审核")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='提交整改报告']"), "已提交，待核验")
    sign_out(browser)

    sign_in(browser, server, "operator")
    browser.get(incident_url)
    browser.find_element(By.CSS_SELECTOR, "#rectifications input[name=decision][value=approve]").click()
    click_and_wait(
        browser, browser.find_element(By.XPATH, "//table[@id='rectifications']//button[text()='提交']"), "已保存"
    )
    _accept_confirmations(browser)
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='恢复服务']"), "已恢复服务")
