"""Knowledge in the staff workspace, in a real browser: search and "mark reviewed" update
in place with JavaScript and still work without it; the canned-response picker fills the
reply box either way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from frontdoor.knowledge.models import Audience
from tests import factories as f
from tests.browser.conftest import log_in_as
from tests.conftest import submit_pothole


@pytest.fixture
def no_js_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def kb(pothole: Any) -> dict[str, Any]:
    owner = f.staff_user("olga", first_name="Olga", is_agent=True)
    return {
        "owner": owner,
        "faq": f.ArticleFactory(
            title_en="How we fix potholes",
            body_en="Crews patch most potholes within 3 days.",
            services=[pothole],
            owner=owner,
            last_reviewed_at=timezone.now() - timedelta(days=400),
        ),
        "script": f.ArticleFactory(
            title_en="Pothole call script",
            body_en="Ask where it is.",
            audience=Audience.INTERNAL,
            services=[pothole],
        ),
    }


def results_heading(page: Any) -> str:
    return page.locator("#kb-results-heading").inner_text()


def test_search_updates_in_place_as_you_type(page: Any, live_server: Any, kb: Any) -> None:
    log_in_as(page, live_server, kb["owner"])
    page.goto("/staff/knowledge/")
    page.evaluate("window.stayedOnPage = true")
    page.get_by_label("Search answers and agent scripts").fill("script")
    page.wait_for_function("document.querySelector('#kb-results-heading').innerText === '1 result'")
    results = page.locator("#kb-results").inner_text()
    assert "Pothole call script" in results and "How we fix potholes" not in results
    assert page.evaluate("window.stayedOnPage") is True  # swapped, not reloaded
    assert "q=script" in page.url  # the address can be shared or reloaded
    page.get_by_label("Audience").select_option("public")
    page.wait_for_function(
        "document.querySelector('#kb-results-heading').innerText === '0 results'"
    )


def test_search_without_javascript(no_js_page: Any, live_server: Any, kb: Any) -> None:
    log_in_as(no_js_page, live_server, kb["owner"])
    no_js_page.goto("/staff/knowledge/")
    no_js_page.get_by_label("Search answers and agent scripts").fill("potholes")
    no_js_page.get_by_role("button", name="Search", exact=True).click()
    no_js_page.wait_for_load_state()
    assert "q=potholes" in no_js_page.url
    assert results_heading(no_js_page) == "2 results"
    results = no_js_page.locator("#kb-results").inner_text()
    assert "How we fix potholes" in results and "Pothole call script" in results


@pytest.mark.parametrize("javascript", [True, False])
def test_the_owner_marks_an_article_reviewed(
    browser: Any, live_server: Any, kb: Any, javascript: bool
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    log_in_as(page, live_server, kb["owner"])
    page.goto(f"/staff/knowledge/{kb['faq'].pk}/")
    assert "Review overdue since" in page.locator("#kb-review").inner_text()
    page.get_by_role("button", name="Mark reviewed").click()
    # In the panel (swapped by HTMX), or at the top of the page it comes back to.
    assert "Marked reviewed" in page.locator(".message-success").inner_text()
    review = page.locator("#kb-review").inner_text()
    assert "Next review due on" in review and "overdue" not in review
    kb["faq"].refresh_from_db()
    assert kb["faq"].last_reviewed_by == kb["owner"]
    context.close()


@pytest.fixture
def reply_setup(pothole: Any) -> dict[str, Any]:
    agent = f.staff_user("carmen", first_name="Carmen", is_agent=True)
    patched = f.CannedFactory(
        title_en="Patched",
        text_en="The {service} at {tracking_number} was patched.",
        service=pothole,
    )
    f.CannedFactory(title_en="Thanks", text_en="Thank you, {resident_name}.")
    return {"agent": agent, "request": submit_pothole(pothole), "patched": patched}


def choose_patched(page: Any, live_server: Any, setup: dict[str, Any]) -> Any:
    """On the stand-in reply page, pick the pothole's "Patched" response."""
    request = setup["request"]
    log_in_as(page, live_server, setup["agent"])
    page.goto(f"/reply-test/{request.tracking_number}/")
    page.get_by_label("Canned response").select_option(label="Patched")
    return request


@pytest.mark.urls("tests.browser.reply_page")
def test_choosing_a_canned_response_fills_the_reply_box(
    page: Any, live_server: Any, reply_setup: Any
) -> None:
    request = choose_patched(page, live_server, reply_setup)
    box = page.get_by_label("Public reply")
    expected = f"The Pothole at {request.display_number} was patched."
    page.wait_for_function(
        "expected => document.querySelector('#canned-text-text').value === expected", arg=expected
    )
    assert box.input_value() == expected
    page.get_by_label("Canned response").select_option(label="Thanks (general)")
    page.wait_for_function(
        "() => document.querySelector('#canned-text-text').value === 'Thank you, resident.'"
    )
    assert page.url.endswith(f"/reply-test/{request.tracking_number}/")


@pytest.mark.urls("tests.browser.reply_page")
def test_without_javascript_insert_fills_the_box_by_a_round_trip(
    no_js_page: Any, live_server: Any, reply_setup: Any
) -> None:
    request = choose_patched(no_js_page, live_server, reply_setup)
    no_js_page.get_by_role("button", name="Insert").click()
    no_js_page.wait_for_load_state()
    assert f"/reply-test/{request.tracking_number}/?canned=" in no_js_page.url
    assert no_js_page.get_by_label("Public reply").input_value() == (
        f"The Pothole at {request.display_number} was patched."
    )
