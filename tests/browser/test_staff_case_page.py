"""The case page in a real browser: with HTMX (no full reload), with JavaScript off, on a
phone, and "near me" with the device's location."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from frontdoor.cases.models import ServiceRequest, Status
from tests.browser.conftest import ARTIFACTS, PHONE, log_in_as


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "pothole-filled.jpg"
    Image.new("RGB", (640, 480), (90, 90, 90)).save(path, "JPEG")
    return path


def work_the_case(page: Any, photo_file: Path) -> None:
    """Internal note, public reply, then close with a photo: as a person would."""
    page.locator("#note-text").fill("Crew booked for Tuesday")
    page.locator("#action-note").get_by_role("button", name="Add note").click()
    expect(page.locator("#messages")).to_contain_text("Internal note added.")
    newest = page.locator("#case-timeline .event").first
    expect(newest).to_contain_text("Crew booked for Tuesday")
    expect(newest).to_contain_text("Staff only")

    page.locator("#action-reply textarea[name=text]").fill("We will fill it this week.")
    page.locator("#action-reply").get_by_role("button", name="Send reply").click()
    expect(page.locator("#messages")).to_contain_text("Reply added to the public timeline")
    newest = page.locator("#case-timeline .event").first
    expect(newest).to_contain_text("We will fill it this week.")
    expect(newest).to_contain_text("Public")

    page.locator("#action-close summary").click()
    page.locator("#close-resolution").select_option("fixed")
    page.locator("#close-public_note").fill("Filled and rolled.")
    page.locator("#close-photo").set_input_files(str(photo_file))
    page.locator("#action-close").get_by_role("button", name="Close the request").click()
    expect(page.locator("#messages")).to_contain_text("The request is closed.")
    expect(page.locator("#case-details .status")).to_have_text("Closed")
    expect(page.locator("#case-photos img")).to_have_count(1)
    expect(page.locator("#action-reopen")).to_be_visible()


def check_closed(req: ServiceRequest) -> None:
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.resolution == "fixed"
    assert req.status_notes == "Filled and rolled."
    assert req.attachments.count() == 1
    texts = list(req.events.values_list("data__text", flat=True))
    assert "Crew booked for Tuesday" in texts and "We will fill it this week." in texts


def test_staff_work_a_case_with_htmx_without_a_full_reload(
    page: Any, live_server: Any, staff: Any, filed: ServiceRequest, photo_file: Path
) -> None:
    log_in_as(page, live_server, staff)
    page.goto(f"/staff/requests/{filed.tracking_number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(filed.display_number)
    # Anything set on the window survives only if the page is never loaded again.
    page.evaluate("window.stillTheSamePage = true")

    work_the_case(page, photo_file)

    assert page.evaluate("window.stillTheSamePage === true")
    check_closed(filed)


def test_staff_work_a_case_with_javascript_off(
    browser: Any, live_server: Any, staff: Any, filed: ServiceRequest, photo_file: Path
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in_as(page, live_server, staff)
    page.goto(f"/staff/requests/{filed.tracking_number}/")
    page.evaluate("window.loadedOnce = true")  # page scripts are off; Playwright's still run

    work_the_case(page, photo_file)

    # Each action was a full POST, redirect and GET.
    assert page.evaluate("window.loadedOnce === undefined")
    assert page.url.endswith(f"/staff/requests/{filed.tracking_number}/")
    check_closed(filed)
    context.close()


def test_the_case_page_fits_a_phone(
    browser: Any, live_server: Any, staff: Any, filed: ServiceRequest
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True)
    page = context.new_page()
    log_in_as(page, live_server, staff)
    page.goto(f"/staff/requests/{filed.tracking_number}/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-page-phone.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Stacked: the actions come below the details, full width.
    details = page.locator("#case-details").bounding_box()
    actions = page.locator("#case-actions").bounding_box()
    assert actions["y"] > details["y"] + details["height"] - 1
    assert actions["width"] > PHONE["width"] * 0.85
    # Large tap targets.
    for target in ("#action-take button", "#action-close summary", "#action-note button"):
        assert page.locator(target).bounding_box()["height"] >= 44, target
    context.close()


def test_near_me_uses_the_devices_location(
    browser: Any, live_server: Any, staff: Any, filed: ServiceRequest
) -> None:
    from frontdoor.cases import workflow

    workflow.assign(filed, staff, actor=workflow.Actor.staff(staff))
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        geolocation={"latitude": 38.951, "longitude": -94.281},
        permissions=["geolocation"],
    )
    page = context.new_page()
    log_in_as(page, live_server, staff)
    page.goto("/staff/near-me/")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url("**/staff/near-me/?lat=38.951*")
    item = page.locator(".near-list li").first
    expect(item).to_contain_text(filed.display_number)
    expect(item).to_contain_text("141 m")
    item.locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(filed.display_number)
    context.close()


def test_a_stale_form_shows_the_other_change_and_keeps_the_text_with_htmx(
    page: Any, live_server: Any, staff: Any, filed: ServiceRequest
) -> None:
    from frontdoor.cases import workflow
    from tests import factories as f

    colleague = f.UserFactory(username="lee", first_name="Lee", last_name="Wong")
    f.MembershipFactory(group=filed.group, user=colleague)
    log_in_as(page, live_server, staff)
    page.goto(f"/staff/requests/{filed.tracking_number}/")
    page.evaluate("window.stillTheSamePage = true")
    # Meanwhile a colleague takes the request.
    workflow.assign(filed, colleague, actor=workflow.Actor.staff(colleague))

    page.locator("#note-text").fill("Cones placed at the corner")
    page.locator("#action-note").get_by_role("button", name="Add note").click()

    expect(page.locator("#messages")).to_contain_text("Someone else changed this request")
    expect(page.locator("#case-details")).to_contain_text("Lee Wong")
    expect(page.locator("#note-text")).to_have_value("Cones placed at the corner")
    assert page.evaluate("window.stillTheSamePage === true")
    # Sent again, it goes through with the fresh version.
    page.locator("#action-note").get_by_role("button", name="Add note").click()
    expect(page.locator("#messages")).to_contain_text("Internal note added.")
    expect(page.locator("#case-timeline .event").first).to_contain_text("Cones placed")


def test_the_map_is_drawn_when_tiles_are_configured(
    page: Any, live_server: Any, staff: Any, filed: ServiceRequest, settings: Any
) -> None:
    # Tiles that do not exist: the map still shows its marker, the text stays.
    settings.MAP_TILE_URL = live_server.url + "/no-tiles/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Test tiles"
    log_in_as(page, live_server, staff)
    page.goto(f"/staff/requests/{filed.tracking_number}/")
    expect(page.locator("#case-map.leaflet-container")).to_be_visible()
    expect(page.locator("#case-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#case-map .leaflet-control-attribution")).to_contain_text("Test tiles")
    expect(page.locator(".coordinates")).to_have_text("38.950000, -94.280000")
