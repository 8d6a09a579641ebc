"""Playwright in Debian's headless Chromium against the live test server."""

import os
import re

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.accessibility import check_pages

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# What Chromium writes to the console when the Content-Security-Policy refuses something (an
# inline script or style, a source from elsewhere) or when it cannot read the Permissions-Policy.
POLICY_MESSAGE = re.compile(r"Content Security Policy|Permissions-Policy", re.IGNORECASE)


@pytest.fixture(scope="session")
def checked_pages():
    """The pages axe-core has checked this session: each distinct one is checked once."""
    return set()


@pytest.fixture
def visits():
    """The pages a test's browser showed, each with the user signed in at the time."""

    class Visits(list):
        user = None

    return Visits()


@pytest.fixture
def page(browser, live_server, visits, checked_pages):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    violations = []

    def note_violation(message):
        if POLICY_MESSAGE.search(message.text):
            violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", note_violation)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on(
        "framenavigated",
        lambda frame: visits.append((frame.url, visits.user)) if frame == page.main_frame else None,
    )
    yield page
    context.close()
    # Every journey fails when a page it visited broke the policy, even if it still worked.
    assert violations == [], "\n".join(violations)
    # ... or when a page it visited breaks WCAG 2.1 A or AA (tests/browser/accessibility.py).
    barriers = check_pages(browser, live_server, visits, checked_pages)
    assert barriers == [], "Accessibility violations (axe-core):\n" + "\n".join(barriers)


@pytest.fixture
def log_in(page, live_server, visits):
    def log_in_as(user):
        visits.user = user
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        # Exactly: a signed-in user's navigation also has a "Change password" link.
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")

    return log_in_as
