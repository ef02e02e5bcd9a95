"""Headless Chromium for the browser tests: the `page` fixture and screenshots.

Without Debian's chromium the browser tests are skipped, unless QMS_REQUIRE_BROWSER=1 (as in
CI), when a missing browser is a failure. Screenshots go to test-artifacts/ (git-ignored).
"""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "correct-horse-battery"


def _browser_missing(reason: str) -> None:
    if os.environ.get("QMS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (QMS_REQUIRE_BROWSER=1, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture
def page(monkeypatch):
    """A fresh Chromium page. Request it after the data fixtures, so they run before the browser.

    Playwright's sync API runs an event loop in this thread. While it runs, Django refuses ORM
    calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set, and keeps any connection opened then apart from
    the thread's usual one; teardown closes those, or PostgreSQL cannot drop the test database.
    """
    if not CHROMIUM.exists():
        _browser_missing(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("playwright is not installed (pip install -e '.[dev]')")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(5_000)
            yield page
        finally:
            browser.close()
    finally:
        connections.close_all()
        playwright.stop()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)
