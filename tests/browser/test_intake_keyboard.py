"""Phone intake with the keyboard alone, in a real browser (F10: a trained agent files a
pothole report in under a minute)."""

from __future__ import annotations

import re
import time
from typing import Any

from frontdoor.cases.models import ServiceRequest
from tests import factories as f
from tests.browser.conftest import log_in_as


def focused_id(page: Any) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_an_agent_files_a_pothole_report_with_the_keyboard_alone(
    page: Any, live_server: Any, pothole: Any
) -> None:
    agent = f.UserFactory(username="carmen", first_name="Carmen", is_agent=True)
    log_in_as(page, live_server, agent)
    keyboard = page.keyboard
    started = time.perf_counter()

    page.goto("/staff/intake/")
    assert focused_id(page) == "id_lookup"  # the cursor starts in the caller lookup

    keyboard.type("(816) 555-0199")
    with page.expect_navigation():
        keyboard.press("Enter")
    assert "No account or earlier request has this phone number" in page.content()
    assert focused_id(page) == "id_q"  # a new caller: on to the service

    keyboard.type("potho")
    with page.expect_navigation():
        keyboard.press("Enter")
    assert focused_id(page) == "pick-service-0"
    with page.expect_navigation():
        keyboard.press("Enter")
    assert focused_id(page) == "id_name"
    assert page.locator("#id_phone").input_value() == "(816) 555-0199"  # from the lookup

    keyboard.type("Ana Pérez")
    keyboard.press("Alt+q")  # the questions (documented on the page)
    assert focused_id(page) == "id_answer_size"
    keyboard.type("L")  # "Large" in the size list
    keyboard.press("Tab")  # depth
    keyboard.type("12")
    keyboard.press("Alt+l")  # the location
    assert focused_id(page) == "id_address"
    keyboard.type("100 Main St, by the school crossing")
    with page.expect_navigation():
        keyboard.press("Enter")  # Enter in a field files the request

    shown = page.locator("#tracking-number").inner_text()
    elapsed = time.perf_counter() - started
    print(f"\nkeyboard-only pothole report filed in {elapsed:.1f} s of wall time")

    filed = ServiceRequest.objects.get()
    assert re.fullmatch(r"\d{4}-\d{4}-\d{2}", shown)
    assert shown.replace("-", "") == filed.tracking_number
    assert filed.service == pothole and filed.channel == "phone"
    assert filed.contact_name == "Ana Pérez" and filed.contact_phone == "(816) 555-0199"
    assert filed.answers == {"size": "large", "depth_cm": 12}
    assert filed.address == "100 Main St, by the school crossing"
    assert focused_id(page) == ""  # "New call" has the focus: a link without an id
    assert page.evaluate("document.activeElement.textContent").strip() == "New call"


def test_the_live_service_list_updates_while_typing(
    page: Any, live_server: Any, pothole: Any
) -> None:
    agent = f.UserFactory(username="carmen", first_name="Carmen", is_agent=True)
    log_in_as(page, live_server, agent)
    page.goto("/staff/intake/?lookup=816+555+0199")

    page.keyboard.press("Alt+c")
    assert focused_id(page) == "id_lookup"
    page.keyboard.press("Alt+s")
    assert focused_id(page) == "id_q"
    page.keyboard.type("pot")
    link = page.locator("#service-results a", has_text="Pothole")
    link.wait_for()
    assert "lookup=816+555+0199" in (link.get_attribute("href") or "")
    assert page.url.endswith("/staff/intake/?lookup=816+555+0199")  # no page load
