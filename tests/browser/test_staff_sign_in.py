"""Signing in to the staff workspace in a real browser."""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.browser.conftest import PHONE, sign_in


def test_staff_member_signs_in_and_lands_in_the_staff_workspace(page: Any) -> None:
    group = f.GroupFactory(name="Streets crew")
    sam = f.staff_user("sam", first_name="Sam", last_name="Patel")
    f.MembershipFactory(group=group, user=sam)

    sign_in(page, "sam", f.PASSWORD)

    assert page.url.endswith("/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Assigned to me"
    page.get_by_text("Your roles").click()
    assert "Member of Streets crew" in page.get_by_role("main").inner_text()
    assert page.get_by_role("navigation", name="Staff workspace").is_visible()


def test_a_resident_who_signs_in_is_told_the_staff_workspace_is_not_for_them(page: Any) -> None:
    f.staff_user("rosa", first_name="Rosa")

    sign_in(page, "rosa", f.PASSWORD, next_path="/staff/")

    assert page.url.endswith("/staff/")
    assert "your account has no staff role" in page.get_by_role("main").inner_text()


def test_the_staff_layout_fits_a_phone_screen(browser: Any, live_server: Any) -> None:
    from tests.browser.conftest import log_in_as

    agent = f.staff_user("carmen", first_name="Carmen", is_agent=True)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="es-ES")
    page = context.new_page()
    log_in_as(page, live_server, agent)
    page.goto("/staff/")
    # Spanish from the browser's language, and nothing wider than the screen.
    assert page.get_by_role("heading", level=1).inner_text() == "Buscar una solicitud"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"]
    context.close()
