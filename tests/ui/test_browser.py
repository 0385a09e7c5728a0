"""The real page in headless Chromium: `streamlit run ui/app.py` driven with Selenium.

Chromium and its driver come from Debian (`chromium`, `chromium-driver`),
installed by `.ci/run`; the test FAILS when they are missing. The screenshot goes to
`test-artifacts/chat.png`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ui.conftest import APP

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SERVER_START_SECONDS = 90
ANSWER_SECONDS = 240
DETAILS_SECONDS = 30
QUESTION = "Quels sont les freins à l'utilisation des données de santé ?"


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    """Paths of Chromium and chromedriver; FAILS (never skips) when `.ci/run` has not installed them."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: `.ci/run` installs them "
                    "(`apt-get install -y chromium chromium-driver`).")
    return CHROMIUM, CHROMEDRIVER


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"streamlit did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def server(bundled_env, tmp_path):
    """The app served on a free localhost port over the session's prebuilt index."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def browser(chromium, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--window-size=1280,1800", "--lang=fr-FR",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def card_label(card) -> str:
    """A source card's label, after the expander icon's ligature line."""
    from selenium.webdriver.common.by import By

    lines = card.find_element(By.TAG_NAME, "summary").text.splitlines()
    return lines[-1] if lines else ""


def drawn_cards(driver) -> list:
    """The answer's source cards once the first one's label is drawn ([] before)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    cards = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] [data-testid="stExpander"]')
    try:
        return cards if cards and card_label(cards[0]).startswith("[") else []
    except StaleElementReferenceException:  # redrawn while read: look again
        return []


def card_details_text(card, timeout: float) -> str:
    """The text of an opened source card once it is drawn; fails the test if it never is.

    Waits until the details hold the card's « Document : » line (the content
    Streamlit draws after the expander's open animation), so an element that is
    only displayed, still empty, is not taken for the drawn card.
    """
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    selector = '[data-testid="stExpanderDetails"]'
    seen = {"text": ""}

    def drawn(_driver) -> str | bool:
        try:
            found = card.find_elements(By.CSS_SELECTOR, selector)
            seen["text"] = found[0].text if found else ""
        except StaleElementReferenceException:  # redrawn while read: look again
            return False
        return seen["text"] if "Document :" in seen["text"] else False

    try:
        return WebDriverWait(card.parent, timeout, poll_frequency=0.2).until(drawn)
    except TimeoutException:
        pytest.fail(f"the source card's details were not drawn within {timeout} s; "
                    f"last text seen: {seen['text']!r}")


def test_chat_in_a_real_browser(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server)
    wait = WebDriverWait(browser, ANSWER_SECONDS)
    box = wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]')))
    assert "Assistant IA & santé" in browser.find_element(By.TAG_NAME, "h1").text
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)

    # The answer is there when its source cards are (they are drawn after the
    # streamed text), and a card is there when its label is drawn, not merely
    # when its element exists.
    cards = wait.until(lambda d: drawn_cards(d) or False)
    messages = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')
    assert len(messages) == 2
    assert QUESTION in messages[0].text
    answer_text = messages[1].text
    assert "[1]" in answer_text and "Sources" in answer_text
    assert re.search(r"Confiance : \d{1,3} %", answer_text), answer_text  # the gate's calibrated probability
    first = cards[0]
    label = card_label(first)
    assert label.startswith("[1] ") and " — " in label, label  # number, title, section

    first.find_element(By.TAG_NAME, "summary").click()
    # The details element is displayed before its content is drawn (the open
    # animation runs first): wait for the card's text, not its visibility. A
    # card that never gets its text still fails, with what was seen.
    details_text = card_details_text(first, timeout=DETAILS_SECONDS)
    assert "Document :" in details_text and len(details_text) > 100, details_text
    # No raw HTML or script came through from document text.
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] script')
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] a[href^="javascript"]')

    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", messages[1])
    time.sleep(0.5)
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "chat.png"))
