"""Pages in a real browser: Debian's headless Chromium driven by Playwright.

The browser is /usr/bin/chromium (Debian package `chromium`), started once per session;
Playwright never downloads its own. `scripts/setup-browser.sh` installs both. A browser
that is missing or does not start fails the tests with the reason; nothing is skipped.

Each test gets a DeviceHub with no physical devices, served with its blueprints (and the
test pages under templates/) by a real HTTP server on a loopback port.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, render_template

from devices.factory import DeviceSet
from pos_terminal.device_hub.hub import DeviceHub
from pos_terminal.device_hub.journal import DeviceJournal
from pos_terminal.device_hub.views import init_app

# The test tree has no packages below tests/, so this directory's helpers go on the path.
sys.path.insert(0, str(Path(__file__).parent))
from browser_test_support import LiveServer

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("CHAINPOS_CHROMIUM", "/usr/bin/chromium"))
# A closed network: without the background-networking flags Chromium keeps trying to reach
# Google's services and fills the log with refused connections.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETUP_HINT = "run scripts/setup-browser.sh (make system does)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives pages in headless Chromium (Playwright)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM} (Debian package chromium): {SETUP_HINT}",
            pytrace=False,
        )
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        missing = f"playwright is not installed in .venv ({error}): {SETUP_HINT}"
    else:
        missing = ""
    if missing:
        pytest.fail(missing, pytrace=False)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Error as error:
        failed = f"Chromium at {CHROMIUM} did not start: {error}"
    else:
        failed = ""
    if failed:
        playwright.stop()
        pytest.fail(failed, pytrace=False)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught JavaScript errors of the test's page; tests assert it stays empty."""
    return []


@pytest.fixture
def page(browser: Any, page_errors: list[str]) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[DeviceHub]:
    """A till's hub with no physical devices: wedge scans and the customer display only."""
    hub = DeviceHub(DeviceSet(), DeviceJournal(tmp_path / "till.db"))
    hub.start()
    yield hub
    hub.stop()


test_pages = Blueprint(
    "browser_test_pages", __name__, url_prefix="/test-pages", template_folder="templates"
)


@test_pages.get("/cashier")
def cashier_page() -> str:
    return render_template("browser_tests/cashier.html")


@pytest.fixture
def server(hub: DeviceHub) -> Iterator[LiveServer]:
    """The hub's blueprints and the test pages on a real loopback HTTP server."""
    app = Flask("browser_tests")
    init_app(app, hub)
    app.register_blueprint(test_pages)
    live = LiveServer(app)
    live.start()
    yield live
    live.stop()
