"""A resident reports in a real browser: with a photo and a map pin, by typed address with
JavaScript off, in Spanish, by keyboard only, and "me too" on a nearby report. Key pages
are checked with axe-core (no serious or critical WCAG 2.1 AA violations) and
photographed at phone and desktop width."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from frontdoor.cases import workflow
from frontdoor.cases.models import Follower, ServiceRequest
from tests.browser.conftest import PHONE
from tests.browser.portal import (
    focus_is_visible,
    portal_city,
    screenshot,
    serious_violations,
    tab_to,
    tracking_number,
)
from tests.conftest import submit_pothole
from tests.test_images import camera_exif


@pytest.fixture
def city_with_pothole(pothole: Any) -> Any:
    portal_city(pothole)
    return pothole


def photo_file(tmp_path: Any) -> str:
    path = tmp_path / "pothole.jpg"
    image = Image.new("RGB", (800, 600), (90, 80, 70))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=camera_exif())
    path.write_bytes(out.getvalue())
    return str(path)


def test_anonymous_report_with_a_photo_and_a_map_pin(
    page: Any, city_with_pothole: Any, tmp_path: Any
) -> None:
    page.goto("/")
    assert serious_violations(page) == []
    screenshot(page, "home")
    page.get_by_label("Search for a service").fill("pothole")
    # HTMX shows the matches while typing.
    page.locator("#search-results").get_by_role("link", name="Pothole").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Pothole"
    assert serious_violations(page) == []
    screenshot(page, "report-form")

    page.get_by_label("Large").check()
    page.get_by_label("Describe the problem").fill("Hole in the bike lane")
    page.locator("#report-map").click()  # the middle of the city's outline
    page.wait_for_function("document.getElementById('id_lat').value !== ''")
    assert "Location set from the map." in page.locator("#location-status").inner_text()
    page.locator("#id_photos").set_input_files(photo_file(tmp_path))
    page.get_by_role("button", name="Send the report").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: your report was sent"
    number = tracking_number(page)
    assert serious_violations(page) == []
    screenshot(page, "confirmation")
    filed = ServiceRequest.objects.get(tracking_number=number)
    assert filed.channel == "web" and filed.lat is not None and filed.contact_email == ""
    assert filed.attachments.count() == 1
    page.get_by_role("link", name="Follow this report").click()
    assert "Hole in the bike lane" in page.get_by_role("main").inner_text()
    assert page.locator(".photos img").count() == 1
    screenshot(page, "tracking")


def test_report_by_typed_address_with_javascript_off(
    browser: Any, live_server: Any, city_with_pothole: Any
) -> None:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    page.goto("/?q=hoyo")
    page.get_by_role("link", name="Pothole").first.click()
    assert page.locator("#report-map").is_hidden()  # no map without JavaScript
    # Reflows at 320 CSS pixels (a 1280-pixel screen at 400 % zoom): nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Send the report").click()
    # The problems are listed and shown next to their fields; nothing was filed.
    assert "Please answer: How big is it?" in page.locator("#error-summary").inner_text()
    assert "Please give a location" in page.locator("#field-location").inner_text()
    assert not ServiceRequest.objects.exists()
    page.get_by_label("Medium").check()
    page.get_by_label("Address or nearest intersection").fill("204 main st")
    page.get_by_label("E-mail (optional)").fill("ana@example.org")
    page.get_by_role("button", name="Send the report").click()
    number = tracking_number(page)
    filed = ServiceRequest.objects.get(tracking_number=number)
    assert (filed.lat, filed.long, filed.address_id) == (38.95, -94.28, "PA-204")
    assert "We are also sending it to your e-mail" in page.get_by_role("main").inner_text()
    context.close()


def test_spanish_end_to_end(page: Any, city_with_pothole: Any) -> None:
    page.goto("/")
    page.get_by_role("button", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Buscar un servicio").fill("baches")
    page.locator("#search-results").get_by_role("link", name="Bache").click()
    page.get_by_label("Describa el problema").fill("Un hoyo enorme")
    page.get_by_label("Dirección o cruce de calles más cercano").fill("Frente a la escuela")
    page.get_by_role("button", name="Enviar el reporte").click()
    summary = page.locator("#error-summary")
    assert "Responda, por favor: ¿Qué tamaño tiene?" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")  # focus moved there
    assert page.get_by_label("Describa el problema").input_value() == "Un hoyo enorme"
    assert serious_violations(page) == []
    screenshot(page, "report-errors-es")
    page.get_by_label("Grande").check()
    page.get_by_role("button", name="Enviar el reporte").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Gracias: su reporte fue enviado"
    filed = ServiceRequest.objects.get(tracking_number=tracking_number(page))
    assert filed.language == "es" and filed.address == "Frente a la escuela"
    # The choice is remembered on the next visit.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "es"


def test_me_too_instead_of_a_duplicate(page: Any, city_with_pothole: Any) -> None:
    existing = submit_pothole(
        city_with_pothole,
        lat=38.95,
        long=-94.2801,
        contact=workflow.Contact(name="Olga Secret", email="olga@example.org"),
    )
    page.goto("/report/POTHOLE/")
    page.get_by_label("Address or nearest intersection").fill("204 Main")
    page.get_by_role("button", name="204 Main Street").click()
    nearby = page.locator("#nearby")
    nearby.wait_for()
    assert "Is it one of these?" in nearby.inner_text()
    assert "Olga" not in page.content()
    screenshot(page, "nearby")
    nearby.get_by_role("link", name="This is mine too").click()
    page.get_by_label("Your e-mail, for the updates").fill("ben@example.org")
    page.get_by_role("button", name="Add me to this report").click()
    assert "you are counted as one more resident" in page.get_by_role("main").inner_text()
    existing.refresh_from_db()
    assert existing.supporter_count == 1
    assert Follower.objects.get(request=existing).email == "ben@example.org"
    assert ServiceRequest.objects.count() == 1


def test_the_report_flow_by_keyboard_only(page: Any, city_with_pothole: Any) -> None:
    page.goto("/report/POTHOLE/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    tab_to(page, "input[name=q_size]")
    assert focus_is_visible(page)
    page.keyboard.press("ArrowDown")  # moves to and selects the second option
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=q_size][value=large]").is_checked()
    tab_to(page, "#id_description")
    page.keyboard.type("Found by keyboard")
    tab_to(page, "#id_address")
    page.keyboard.type("208 main")
    page.locator(".address-choice").first.wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('address-choice')")
    page.keyboard.press("Enter")
    assert page.locator("#id_lat").input_value() == "38.950000"
    tab_to(page, "button[value=submit]")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/submitted/**")
    filed = ServiceRequest.objects.get(tracking_number=tracking_number(page))
    assert filed.description == "Found by keyboard" and filed.answers["size"] == "large"
