"""End to end in a real headless browser: Debian's chromium driven by selenium through chromedriver.

The app runs under uvicorn on a free loopback port in a thread. The tests type an explanation and
wait for the vague phrase to be highlighted, upload a form and read the report, download the
annotated workbook and read it back with openpyxl, and save screenshots under tmp_path.
Install the pieces with `.ci/browser.sh`; without them these tests skip and say why.
"""
import os
import shutil
import threading
import time

import pytest

import webforms
from conftest import free_port

pytestmark = pytest.mark.browser

CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "",
                             shutil.which("chromium-browser") or "") if p and os.path.exists(p)), None)
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                 else None)
try:
    import selenium  # noqa: F401
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False

if not (CHROMIUM and CHROMEDRIVER and HAVE_SELENIUM):
    missing = [n for n, ok in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER),
                               ("selenium (pip)", HAVE_SELENIUM)) if not ok]
    pytest.skip(f"browser tests need {', '.join(missing)}: run .ci/browser.sh", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from web.app import create_app

    try:
        from nlp.judge import load_judge
        judge = load_judge()
    except Exception as e:  # the classifier is another part's: without it there is nothing to type at
        pytest.skip(f"classifier not loadable: {type(e).__name__}: {e}")
    port = free_port()
    config = uvicorn.Config(create_app(judge=judge), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--disable-dev-shm-usage", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, seconds=10):
    return WebDriverWait(driver, seconds)


def test_typing_highlights_vague_phrases(server, browser, tmp_path):
    browser.get(server + "/")
    browser.find_element(By.ID, "indicator").send_keys("新购图书册数")
    box = browser.find_element(By.ID, "text")
    box.send_keys("由于客观原因")
    box.send_keys("未完成。下一步将进一步加强管理。")
    mark = _wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#highlighted mark.vague")))
    marks = browser.find_elements(By.CSS_SELECTOR, "#highlighted mark.vague")
    assert "客观原因" in [m.text for m in marks]
    tip = mark.get_attribute("title")
    assert "建议" in tip and len(tip) > 8
    # the CSS tooltip shows the same text on hover
    from selenium.webdriver import ActionChains

    ActionChains(browser).move_to_element(mark).perform()
    shown = browser.execute_script("return getComputedStyle(arguments[0], '::after').content", mark)
    assert "建议" in shown
    assert browser.find_element(By.ID, "highlighted").text == webforms.VAGUE
    _wait(browser).until(lambda d: d.find_element(By.ID, "flagged").text == "需修改")
    assert browser.find_element(By.ID, "cause").text in ("笼统", "缺失")
    browser.save_screenshot(str(tmp_path / "explain.png"))
    assert (tmp_path / "explain.png").stat().st_size > 1000

    # the verdict follows the text: clearing it clears the highlights
    box.clear()
    box.send_keys(" ")
    _wait(browser).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#highlighted mark"))


def test_upload_report_and_download_workbook(server, browser, tmp_path):
    import openpyxl

    src = webforms.write_xlsx(tmp_path / "图书馆自评表.xlsx")
    browser.get(server + "/")
    browser.find_element(By.ID, "file").send_keys(str(src))
    browser.find_element(By.ID, "check-btn").click()
    _wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#report table.findings")))
    codes = [r.get_attribute("data-code") for r in browser.find_elements(By.CSS_SELECTOR, "#report tbody tr")]
    assert "PC201" in codes and "PC302" in codes
    assert "社区图书室图书更新与流通服务" in browser.find_element(By.ID, "report").text
    browser.save_screenshot(str(tmp_path / "report.png"))

    # "修改" on the vague explanation's finding loads it into the box, and the verdict follows
    row = browser.find_element(By.CSS_SELECTOR, '#report tbody tr[data-code="PC403"]')
    row.find_element(By.CSS_SELECTOR, "button.edit").click()
    assert browser.find_element(By.ID, "text").get_attribute("value") == webforms.VAGUE
    assert browser.find_element(By.ID, "indicator").get_attribute("value") == "新购图书册数"
    _wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#highlighted mark.vague")))

    browser.find_element(By.ID, "download-btn").click()
    target = browser.downloads / "图书馆自评表.checked.xlsx"
    deadline = time.monotonic() + 15
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.exists(), sorted(p.name for p in browser.downloads.iterdir())
    time.sleep(0.2)
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["pianchai", "自评表"]
    row = webforms.FIRST_INDICATOR_ROW + 2
    assert "PC201" in wb["自评表"].cell(row, 9).comment.text


def test_unreadable_upload_shows_a_clear_error(server, browser, tmp_path):
    bad = tmp_path / "会议纪要.txt"
    bad.write_text("这不是自评表，只是一段会议纪要。\n", encoding="utf-8")
    browser.get(server + "/")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.ID, "check-btn").click()
    err = _wait(browser).until(EC.visibility_of_element_located((By.ID, "upload-error")))
    assert "无法读取该文件" in err.text and "会议纪要.txt" in err.text
    browser.save_screenshot(str(tmp_path / "error.png"))


def test_failed_upload_disables_download_and_stops_the_spinner(server, browser, tmp_path):
    bad = tmp_path / "会议纪要.txt"
    bad.write_text("这不是自评表。\n", encoding="utf-8")
    browser.get(server + "/")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    assert browser.find_element(By.ID, "download-btn").is_enabled()      # a file is chosen
    browser.find_element(By.ID, "check-btn").click()
    _wait(browser).until(EC.visibility_of_element_located((By.ID, "upload-error")))
    assert not browser.find_element(By.ID, "download-btn").is_enabled()
    assert browser.find_element(By.ID, "check-status").text == ""
    assert browser.find_element(By.ID, "check-btn").is_enabled()
    assert "未找到自评表" in browser.find_element(By.ID, "upload-error").text
    # a download that fails also stops the spinner and leaves the button off
    browser.execute_script('document.getElementById("download-btn").disabled = false')
    browser.find_element(By.ID, "download-btn").click()
    _wait(browser).until(lambda d: "无法生成工作簿" in d.find_element(By.ID, "upload-error").text)
    assert browser.find_element(By.ID, "check-status").text == ""
    assert not browser.find_element(By.ID, "download-btn").is_enabled()
    # choosing another file turns it back on
    good = webforms.write_xlsx(tmp_path / "图书馆自评表.xlsx")
    browser.find_element(By.ID, "file").send_keys(str(good))
    assert browser.find_element(By.ID, "download-btn").is_enabled()
