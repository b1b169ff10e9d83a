"""The staff layout in a browser: htmx is loaded from our own static files, and a refused
htmx action shows its reason in the messages area without replacing the page."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.browser.conftest import log_in_as


@pytest.mark.urls("tests.browser.refusing_urls")
def test_a_refused_htmx_action_shows_why_in_the_messages_area(page: Any, live_server: Any):
    agent = f.staff_user("carmen", first_name="Carmen", is_agent=True)
    log_in_as(page, live_server, agent)
    page.goto("/staff/")
    assert page.evaluate("typeof window.htmx") == "object"
    page.evaluate(
        """() => {
            const button = document.createElement("button");
            button.textContent = "Close it";
            button.setAttribute("hx-post", "/test/refuse/");
            button.setAttribute("hx-target", "#main");
            document.querySelector("h1").after(button);
            htmx.process(button);
        }"""
    )
    page.get_by_role("button", name="Close it").click()
    alert = page.locator("#messages [role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "Refused for the test: ask its supervisor to forward it."
    # The page around it stayed (the post carried the CSRF token from hx-headers).
    assert page.get_by_role("heading", level=1).inner_text() == "Find a request"  # agents' home
    assert "Carmen Tester" in page.locator(".user-menu summary").inner_text()


@pytest.mark.urls("tests.browser.refusing_urls")
def test_without_javascript_the_refusal_is_a_page(browser: Any, live_server: Any):
    agent = f.staff_user("carmen", is_agent=True)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in_as(page, live_server, agent)
    response = page.goto("/test/refuse/")
    assert response.status == 403
    assert "ask its supervisor to forward it" in page.get_by_role("main").inner_text()
    context.close()
