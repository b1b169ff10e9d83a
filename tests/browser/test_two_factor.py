"""Two-factor sign-in in a real browser: an administrator sets up an authenticator app
when first sent to the workspace, then signs in with a code from it."""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import cache

from tests import factories as f
from tests.browser.conftest import sign_in


def test_an_administrator_sets_up_an_authenticator_app_then_signs_in_with_a_code(
    page: Any, settings: Any
) -> None:
    settings.MFA_TOTP_TOLERANCE = 1  # a code typed across a 30-second boundary still works
    cache.clear()
    f.staff_user("alex", first_name="Alex", last_name="Admin", is_staff=True, is_superuser=True)

    sign_in(page, "alex", f.PASSWORD)
    # Sent to set it up first, with the reason.
    assert "/staff/two-factor-required/" in page.url
    assert "You are an administrator" in page.get_by_role("main").inner_text()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    # allauth asks for the password again before changing sign-in settings.
    page.locator("input[name=password]").fill(f.PASSWORD)
    page.locator("main form [type=submit]").click()
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.locator("input[name=code]").fill(f.totp_code(secret))
    page.locator("main form [type=submit]").click()
    assert "/2fa/recovery-codes/" in page.url  # shown right after set-up

    page.goto("/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "My groups"
    assert "Alex Admin" in page.locator(".user-menu summary").inner_text()

    # Next time: password, then the code.
    page.locator(".user-menu summary").click()  # the account menu
    page.get_by_role("button", name="Sign out").click()
    cache.clear()  # the set-up code is still the current one and works only once
    sign_in(page, "alex", f.PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.url
    page.locator("input[name=code]").fill(f.wrong_totp_code(secret))
    page.locator("main form [type=submit]").first.click()
    assert "Incorrect code." in page.get_by_role("main").inner_text()
    page.locator("input[name=code]").fill(f.totp_code(secret))
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url("**/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "My groups"
    assert "Alex Admin" in page.locator(".user-menu summary").inner_text()
