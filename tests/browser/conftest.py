"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

- ``page``: a fresh browser context (English, phone-sized when asked) on the live server;
  ``page.goto("/staff/")`` works with paths.
- ``sign_in(page, username, password)``: through allauth's sign-in form, like a person.
- ``log_in_as(page, live_server, user)``: a session cookie, for tests about what comes
  after signing in.

The live server needs a database its thread can see, so these tests use pytest-django's
transactional database (``live_server`` turns it on): each test's rows are flushed after it.
Playwright's sync API keeps an asyncio loop running in the test thread while it is started;
Django refuses ORM calls under a running loop, so Playwright is started per test module
(and stopped before the next module in the same xdist worker runs) and the check is relaxed
only meanwhile. Chromium missing is an error, never a skip: ``make test`` installs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Browser tests need chromium at {CHROMIUM}: `make test` installs it as root "
            "(apt-get install chromium), or set CHROMIUM to another chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Containers and CI machines often run as root without a user namespace sandbox.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def viewport() -> dict[str, int]:
    """Override in a test module (or parametrize) for another screen size."""
    return {"width": 1280, "height": 800}


@pytest.fixture
def page(browser: Any, live_server: Any, viewport: dict[str, int], request: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport=viewport, java_script_enabled=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep the call's report on the test item, so ``page`` can screenshot failures."""
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


def sign_in(page: Any, username: str, password: str, *, next_path: str = "") -> None:
    """Sign in through allauth's form, as a person would (ends on the page it leads to)."""
    page.goto("/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    # By field name: allauth's labels change with the language and the login methods.
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=login]) [type=submit]").click()
    page.wait_for_load_state()


def log_in_as(page: Any, live_server: Any, user: Any) -> None:
    """Give the browser a signed-in session for ``user`` without the form (and without
    two-factor authentication): for tests about what comes after signing in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
