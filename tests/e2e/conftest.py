"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (CHROMIUM_PATH).
Without that executable the browser tests are skipped; CI installs it.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; the tests only touch the ORM between
# browser steps, never concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_terminal_summary(terminalreporter):
    """Say plainly when the browser journeys did not run, so a green run is not mistaken for a full one."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    terminalreporter.write_sep(
        "!", f"BROWSER JOURNEYS SKIPPED: no Chromium at {CHROMIUM} (apt-get install chromium)", yellow=True
    )


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def do(user, password="secret-pass-123"):
        page.goto("/sign-in/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/")

    return do
