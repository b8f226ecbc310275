"""Channel operations in a real headless Chromium with CSRF on: the operator publishes a platform notice and the
company acknowledges it (C4.3); the company files a work order — first refused for a resident ID number — and the
operator answers and closes it (C4.6)."""

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
    wait_for,
)
from tests.journeys import channel_in_testing
from tests.work_orders.test_work_orders import ID_NUMBER

pytestmark = pytest.mark.commits  # real commits from several connections or processes


def test_c4_3_c4_6_notice_and_work_order_in_a_real_browser(world, server, browser):  # noqa: F811
    channel = channel_in_testing(world)
    sign_in(browser, server, "operator")
    browser.get(f"{server}/notices")
    fill(browser, "title", "平台升级公告")
    fill(browser, "body", "本周六凌晨升级。")
    Select(browser.find_element(By.NAME, "region_codes")).select_by_value("370000")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='发布']"), "公告已发布")
    notice_url = browser.current_url
    sign_out(browser)

    sign_in(browser, server, "company_a")
    browser.get(notice_url)
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='确认知悉']"), "已确认知悉")
    browser.get(f"{server}/work-orders/new?channel_id={channel.id}")
    fill(browser, "subject", "用户无法领卡")
    fill(browser, "description", f"用户身份证 {ID_NUMBER} 领卡失败")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='提交']"), "内容中含有居民身份证号码")
    fill(browser, "description", "用户领卡时提示错误 E102")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='提交']"), "工单已提交")
    work_order_url = browser.current_url
    sign_out(browser)

    sign_in(browser, server, "operator")
    browser.get(work_order_url)
    answer = browser.find_element(By.CSS_SELECTOR, "#answer-form textarea")
    answer.send_keys("请升级客户端后重试")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='答复']"), "请升级客户端后重试")
    browser.find_element(By.NAME, "note").send_keys("已解决")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='关闭工单']"), "已关闭")
