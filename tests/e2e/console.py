"""Driving the web console in a real browser: Debian's Chromium, headless, through Selenium and chromedriver.

`browser` (one Chromium per pytest worker) and `console` (a page driver on the shared server, cookies cleared per
test) are fixtures in conftest.py. Screenshots go to target/console-screenshots/ (CI keeps them as artifacts).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "target" / "console-screenshots"


def chromium_paths() -> tuple[str, str] | None:
    browser = os.environ.get("LOCALVPC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("LOCALVPC_CHROMEDRIVER") or shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def start_browser(width: int = 1280, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = chromium_paths()
    if paths is None:
        message = "CONSOLE BROWSER TESTS SKIPPED: no chromium/chromedriver (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(paths[1]), options=options)


class Console:
    """A page driver: open pages, click and type by element id, read AWS's error box and the green banner."""

    def __init__(self, driver, endpoint: str):
        self.driver = driver
        self.endpoint = endpoint

    def open(self, path: str = "/console") -> "Console":
        self.driver.get(self.endpoint + path)
        return self

    @property
    def path(self) -> str:
        url = self.driver.current_url
        return url[len(self.endpoint):] if url.startswith(self.endpoint) else url

    def el(self, element_id: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, element_id)

    def css(self, selector: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def wait_gone(self, old) -> None:
        """Waits until the page that held `old` (its `<html>` element) is replaced and the new one has loaded.
        Chrome reports a node of a page being replaced either as stale or as "not belonging to the document"."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def gone(_driver) -> bool:
            try:
                old.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return True
                raise

        WebDriverWait(self.driver, 15).until(gone)
        WebDriverWait(self.driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def _navigating(self, element, action) -> None:
        """Runs `action` (a click or submit on `element`) and, when it loads a page (a link, a submit button),
        waits until the old page is gone: Selenium's click can return before a form's answer has replaced it."""
        from selenium.webdriver.common.by import By
        navigates = element.tag_name in ("a", "button") or element.get_attribute("type") == "submit"
        old = self.driver.find_element(By.TAG_NAME, "html")
        action()
        if navigates:
            self.wait_gone(old)

    def click(self, element_id: str) -> "Console":
        element = self.el(element_id)
        self._navigating(element, element.click)
        return self

    def submit(self, element_id: str) -> "Console":
        """Submits the form of a field, as Enter in it would."""
        from selenium.webdriver.common.by import By
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.el(element_id).submit()
        self.wait_gone(old)
        return self

    def link(self, text: str) -> "Console":
        from selenium.webdriver.common.by import By
        element = self.driver.find_element(By.LINK_TEXT, text)
        self._navigating(element, element.click)
        return self

    def _retrying(self, action):
        """Runs `action` again when the page's script replaced the node between finding and using it (the launch
        form re-filters its selects): Chrome then reports a stale or foreign node."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        for attempt in range(3):
            try:
                return action()
            except StaleElementReferenceException:
                if attempt == 2:
                    raise
            except WebDriverException as error:
                if "does not belong to the document" not in str(error) or attempt == 2:
                    raise

    def fill(self, element_id: str, text: str) -> "Console":
        def act():
            box = self.el(element_id)
            box.clear()
            box.send_keys(text)
        self._retrying(act)
        return self

    def choose(self, element_id: str, value: str) -> "Console":
        from selenium.webdriver.support.ui import Select
        self._retrying(lambda: Select(self.el(element_id)).select_by_value(value))
        return self

    def error(self) -> tuple[str, str] | None:
        boxes = self.css(".alert.error")
        if not boxes:
            return None
        return (boxes[0].find_element("css selector", ".code").text,
                boxes[0].find_element("css selector", ".message").text)

    def notice(self) -> str | None:
        boxes = self.css(".alert.success")
        return boxes[0].text if boxes else None

    def text(self) -> str:
        return self.css("main")[0].text

    def rows(self) -> list[list[str]]:
        """The cells of every list table on the page, row by row (empty-row messages excluded)."""
        return [[cell.text for cell in row.find_elements("css selector", "td")]
                for row in self.css("table.list tbody tr:not(.empty)")]

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path
