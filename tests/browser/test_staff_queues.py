"""Work queues in a real browser: filter, select, bulk-assign; with and without
JavaScript, and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from frontdoor.cases.models import ServiceRequest
from tests.browser.conftest import PHONE, log_in_as
from tests.staff_world import build_world


@pytest.fixture
def w(transactional_db: Any) -> Any:
    from tests import factories as f

    return build_world(f.CityFactory())


def _rows(page: Any) -> Any:
    return page.locator("#queue-results tbody tr")


def test_a_supervisor_filters_a_queue_selects_two_rows_and_assigns_them(
    page: Any, live_server: Any, w: Any
) -> None:
    potholes = [w.file(description=f"Pothole {n}") for n in range(3)]
    w.file(w.graffiti)
    log_in_as(page, live_server, w.boss)
    page.goto("/staff/queue/groups/")
    assert _rows(page).count() == 4

    page.get_by_text("Filters and sort").click()
    page.get_by_label("Service").select_option(label="Pothole")
    # HTMX swaps the results in place and puts the filter in the address bar.
    page.wait_for_url(f"**/staff/queue/groups/?*service={w.pothole.pk}*")
    page.wait_for_function("document.querySelectorAll('#queue-results tbody tr').length === 3")

    first, second = potholes[0], potholes[1]
    page.get_by_label(f"Select {first.display_number}").check()
    page.get_by_label(f"Select {second.display_number}").check()
    page.locator("#bulk-assignee").select_option(label="Kim Tester")
    page.get_by_role("button", name="Apply to the selected requests").click()

    page.locator("#messages").get_by_text("2 done.").wait_for()
    assert _rows(page).count() == 3  # still filtered
    assert page.locator("#queue-results tbody").get_by_text("Kim Tester").count() == 2
    assert {r.assignee_id for r in ServiceRequest.objects.filter(pk__in=[first.pk, second.pk])} == {
        w.kim.pk
    }
    assert ServiceRequest.objects.get(pk=potholes[2].pk).assignee_id is None


def test_the_same_works_without_javascript(browser: Any, live_server: Any, w: Any) -> None:
    requests = [w.file() for _ in range(2)]
    w.file(w.graffiti)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in_as(page, live_server, w.boss)
    page.goto("/staff/queue/groups/")
    page.get_by_text("Filters and sort").click()
    page.get_by_label("Service").select_option(label="Pothole")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url(f"**service={w.pothole.pk}*")
    assert _rows(page).count() == 2

    for request in requests:
        page.get_by_label(f"Select {request.display_number}").check()
    page.locator("#bulk-assignee").select_option(label="Sam Tester")
    page.get_by_role("button", name="Apply to the selected requests").click()
    page.wait_for_load_state()
    assert "2 done." in page.locator("#messages").inner_text()
    assert f"service={w.pothole.pk}" in page.url
    assert {
        r.assignee_id for r in ServiceRequest.objects.filter(pk__in=[r.pk for r in requests])
    } == {w.sam.pk}
    context.close()


@pytest.mark.parametrize("path", ["/staff/queue/groups/", "/staff/supervisor/"])
def test_queue_and_supervisor_pages_fit_a_phone(
    browser: Any, live_server: Any, w: Any, path: str
) -> None:
    for _ in range(3):
        w.file(address="1234 Long Boulevard Name, Apartment 56")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    log_in_as(page, live_server, w.boss)
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
