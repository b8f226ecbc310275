"""The test-intake journey in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium),
with CSRF protection switched on: company files and submits, municipal → provincial → national approve, the operator
assigns the number and key, and the company sees its channel in `testing` (C2.6, S8, S12)."""

import os
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait
from werkzeug.serving import make_server

from app.extensions import db
from app.modules.accounts.models import User
from app.modules.accounts.operations import requires_mfa
from app.modules.channels.models import Channel
from tests.conftest import PASSWORD, PDF, next_code, release_clock

pytestmark = pytest.mark.commits  # real commits from several connections or processes

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def server(app):
    app.config["WTF_CSRF_ENABLED"] = True
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.port}"
    httpd.shutdown()
    thread.join(10)
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and DRIVER):
        if os.environ.get("SKIP_BROWSER") == "1":
            pytest.skip("SKIP_BROWSER=1 and no chromium/chromedriver")
        pytest.fail("chromium and chromium-driver are needed (make browser-deps), or set SKIP_BROWSER=1")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def wait_for(driver, text: str) -> None:
    """Wait until the page that a click loads shows `text`."""
    WebDriverWait(driver, 10).until(lambda d: text in d.page_source, message=f"page never showed {text!r}")


def settled(driver) -> None:
    """Wait until the current page has finished loading (elements found earlier may belong to a page being replaced)."""
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def click_and_wait(driver, element, text: str) -> None:
    """Click, wait until the page the click loads has replaced this one, then until it shows `text` (a flash
    message of the previous page must not count)."""
    # A script click: a native click that starts a navigation can fail in chromedriver ("node does not belong to the
    # document") although the form was submitted.
    driver.execute_script("arguments[0].click()", element)
    WebDriverWait(driver, 10).until(staleness_of(element), message=f"the click never loaded a page ({text!r})")
    wait_for(driver, text)
    settled(driver)


def sign_in(driver, base, username, password=PASSWORD, code=next_code):
    """Password, then for staff the one-time code (computed from the enrolled secret, as an authenticator would)."""
    driver.get(f"{base}/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    button = driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]")
    driver.execute_script("arguments[0].click()", button)  # see click_and_wait
    WebDriverWait(driver, 10).until(staleness_of(button), message="sign-in never answered")
    settled(driver)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if requires_mfa(user):
        wait_for(driver, "动态口令")
        settled(driver)
        db.session.refresh(user)
        try:
            driver.find_element(By.NAME, "code").send_keys(code(user))
            click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"), "退出登录")
        finally:
            release_clock()
    wait_for(driver, "退出登录")


def sign_out(driver):
    """Click the header's logout button and wait until the page that follows is loaded: a navigation started before
    then would cancel the logout (the next sign-in would find the old session)."""
    button = driver.find_element(By.CSS_SELECTOR, "header form button")
    driver.execute_script("arguments[0].click()", button)  # see click_and_wait
    WebDriverWait(driver, 10).until(staleness_of(button), message="logout never completed")


def fill(driver, name, value):
    element = driver.find_element(By.NAME, name)
    element.clear()
    element.send_keys(value)


def file_application(driver, base, tmp_path: Path):
    driver.get(f"{base}/applications/new")
    Select(driver.find_element(By.NAME, "category")).select_by_value("social")
    driver.execute_script("document.getElementsByName('operating_since')[0].value = '2020-01-01'")
    fill(driver, "existing_users", "2000000")
    driver.find_element(By.NAME, "serves_livelihood").click()
    fill(driver, "rows-0-name", "惠民生活APP")
    Select(driver.find_element(By.NAME, "rows-0-access_mode")).select_by_value("sdk")
    picker = driver.find_element(By.CSS_SELECTOR, ".picker")  # the province → city picker (forms.js)
    picker.find_element(By.CSS_SELECTOR, "input[type=search]").send_keys("济南")
    picker.find_element(By.CSS_SELECTOR, 'input[type=checkbox][value="370100"]').click()
    for name, value in (
        ("user_groups", "居民"),
        ("registered_users", "3000000"),
        ("monthly_active_users", "800000"),
        ("introduction", "生活服务"),
        ("covered_regions", "济南"),
        ("scenario_fit", "社保服务"),
        ("entry_point", "首页"),
        ("expansion_plan", "医保"),
        ("committed_annual_issuance", "100000"),
        ("committed_mau", "50000"),
    ):
        fill(driver, f"social-{name}", value)
    driver.find_element(By.CSS_SELECTOR, "button[name=save]").click()
    number = driver.find_element(By.ID, "app-number").text
    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(PDF)
    driver.find_element(By.NAME, "file").send_keys(str(sheet))
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[text()='上传']"), "已上传")
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[text()='提交']"), "已提交")
    return number


def approve_first_in_queue(driver, base, username):
    sign_in(driver, base, username)
    driver.get(f"{base}/reviews")
    driver.find_element(By.LINK_TEXT, "审核详情").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=decision][value=approve]").click()
    fill(driver, "opinion", f"{username} 同意")
    fill(driver, "phone", "13800000000")
    click_and_wait(driver, driver.find_element(By.XPATH, "//form//button[text()='提交']"), "审核意见已提交")
    sign_out(driver)


def test_c2_6_journey_in_a_real_browser(world, server, browser, tmp_path):
    sign_in(browser, server, "company_a")
    number = file_application(browser, server, tmp_path)
    sign_out(browser)
    for reviewer in ("jinan", "shandong", "national"):
        approve_first_in_queue(browser, server, reviewer)
    sign_in(browser, server, "operator")
    browser.find_element(By.CSS_SELECTOR, "[data-card='key_issuance.to_issue'] .todo-items a").click()  # workbench
    browser.find_element(By.XPATH, "//button[text()='确认']").click()
    secret = browser.find_element(By.CLASS_NAME, "secret").text
    channel_number = browser.find_element(By.CLASS_NAME, "channel-number").text
    assert len(secret) == 43 and channel_number.startswith("137")
    sign_out(browser)
    sign_in(browser, server, "company_a")
    browser.get(f"{server}/applications")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, number), channel_number)
    wait_for(browser, "已办结")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Channel.status)) == "testing"
    browser.save_screenshot(str(tmp_path / "final.png"))


def tick_all(driver):
    for box in driver.find_elements(By.CSS_SELECTOR, "#verify-form input[type=checkbox]"):
        if not box.is_selected():
            box.click()


def test_c2_8_production_journey_in_a_real_browser(world, server, browser, tmp_path):
    """From `testing` to `live` in the browser: Form 3 with report and recordings, the review chain, the operator's
    checklist, the agreement signed and countersigned, the production key shown once."""
    from tests.journeys import AGREEMENT_TEXT, MOV, MP4, channel_in_testing, passing_report

    channel = channel_in_testing(world)
    report = passing_report(world, channel)
    sign_in(browser, server, "operator")
    browser.get(f"{server}/agreements")
    fill(browser, "version", "2026.1")
    browser.execute_script("document.getElementsByName('effective_from')[0].value = '2026-01-01'")
    fill(browser, "body", AGREEMENT_TEXT)
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='发布']"), "已发布")
    sign_out(browser)

    sign_in(browser, server, "company_a")
    browser.get(f"{server}/channels/{channel.id}")
    browser.find_element(By.ID, "apply-production").click()
    Select(browser.find_element(By.NAME, "security_report_id")).select_by_value(str(report.id))
    click_and_wait(browser, browser.find_element(By.XPATH, "//main//button[text()='保存']"), "已保存")
    for platform, body in (("ios", MOV), ("android", MP4)):
        video = tmp_path / f"{platform}.{'mov' if platform == 'ios' else 'mp4'}"
        video.write_bytes(body)
        browser.find_element(By.CSS_SELECTOR, f"#upload-{platform} input[name=file]").send_keys(str(video))
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, f"#upload-{platform} button"), "已上传")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='提交']"), "已提交")
    browser.get(f"{server}/channels/{channel.id}")
    browser.find_element(By.PARTIAL_LINK_TEXT, "签署合作协议").click()
    browser.find_element(By.NAME, "confirm").click()
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='确认签署']"), "已签署，待运营机构会签")
    sign_out(browser)

    for reviewer in ("jinan", "shandong", "national"):
        approve_first_in_queue(browser, server, reviewer)
    sign_in(browser, server, "operator")
    browser.find_element(By.CSS_SELECTOR, "[data-card='production.to_verify'] .todo-items a").click()
    tick_all(browser)
    browser.find_element(By.CSS_SELECTOR, "input[name=decision][value=approve]").click()
    fill(browser, "opinion", "录屏与报告核验通过")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "button[name=action][value=decide]"), "审核意见已提交"
    )
    browser.get(f"{server}/agreements")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='会签']"), "已会签")
    browser.get(f"{server}/")
    browser.find_element(By.CSS_SELECTOR, "[data-card='production.to_go_live'] .todo-items a").click()
    browser.find_element(By.XPATH, "//button[text()='确认签发']").click()
    secret = browser.find_element(By.CLASS_NAME, "secret").text
    assert len(secret) == 43
    db.session.expire_all()
    assert db.session.get(Channel, channel.id).status == "live"
    browser.save_screenshot(str(tmp_path / "live.png"))
