"""Two-factor sign-in: available to staff, required for administrators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_used_codes(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """allauth remembers used codes in the cache (a code works once); tests start clean.
    A code computed just before a 30-second boundary is still accepted just after it."""
    settings.MFA_TOTP_TOLERANCE = 1
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username: str) -> object:  # type: ignore[no-untyped-def]
    return client.post(reverse("account_login"), {"login": username, "password": f.PASSWORD})


def start_totp_setup(client) -> str:  # type: ignore[no-untyped-def]
    """Open the set-up page (allauth asks for the password again first) -> the secret."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": f.PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    return response.context["form"].secret


def test_staff_set_up_an_authenticator_app_and_then_sign_in_with_its_code(client, city):
    sam = f.staff_user("sam", is_agent=True)
    assert sign_in(client, "sam")["Location"] == "/staff/"
    page = client.get("/staff/").content.decode()
    assert reverse("mfa_index") in page  # offered from the account menu

    secret = start_totp_setup(client)
    response = client.post(reverse("mfa_activate_totp"), {"code": f.totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=sam, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=sam, type=Authenticator.Type.RECOVERY_CODES).exists()

    client.logout()
    cache.clear()  # the activation code may be the current code; a code is used once
    response = sign_in(client, "sam")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/staff/")["Location"].startswith(reverse("account_login"))  # not yet in
    response = client.post(reverse("mfa_authenticate"), {"code": f.totp_code(secret)})
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message_and_signs_nobody_in(client, city):
    f.administrator("alex")
    sign_in(client, "alex")
    wrong = f.wrong_totp_code()
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert client.get("/staff/")["Location"].startswith(reverse("account_login"))
    spanish = client.post(
        reverse("mfa_authenticate"), {"code": wrong}, headers={"accept-language": "es"}
    )
    assert "Código incorrecto." in spanish.content.decode()


def test_a_used_code_does_not_work_twice(client, city):
    f.administrator("alex")
    code = f.totp_code()
    sign_in(client, "alex")
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == "/staff/"
    client.logout()
    sign_in(client, "alex")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert client.get("/staff/").status_code == 302


def test_a_recovery_code_signs_in_once(client, city):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    admin = f.administrator("alex")
    codes = RecoveryCodes.activate(admin).get_unused_codes()
    sign_in(client, "alex")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]})["Location"] == "/staff/"
    client.logout()
    sign_in(client, "alex")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200


@pytest.mark.parametrize("path", ["/staff/", "/admin/", "/admin/catalogue/service/"])
def test_an_administrator_without_an_authenticator_is_sent_to_set_one_up(client, city, path):
    admin = f.staff_user("alex", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:mfa_required") + "?next=" + path.replace(
        "/", "%2F"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Set up two-factor sign-in first" in text and "You are an administrator" in text
    assert reverse("mfa_activate_totp") in text


def test_once_set_up_the_administrator_gets_in(client, city):
    admin = f.staff_user("alex", is_staff=True, is_superuser=True)
    sign_in(client, "alex")
    secret = start_totp_setup(client)
    client.post(reverse("mfa_activate_totp"), {"code": f.totp_code(secret)})
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200
    done = client.get(reverse("staff:mfa_required") + "?next=/admin/")
    assert done["Location"] == "/admin/"
    assert admin.authenticator_set.count() == 2  # the app and the recovery codes


def test_the_explanation_page_is_in_spanish_and_ignores_foreign_next_addresses(client, city):
    client.force_login(f.staff_user("alex", is_staff=True, is_superuser=True))
    url = reverse("staff:mfa_required") + "?next=https://evil.example/"
    page = client.get(url, headers={"accept-language": "es"}).content.decode()
    assert "Configure primero la verificación en dos pasos" in page
    assert 'href="https://evil.example' not in page and "donde iba" not in page
    own = client.get(
        reverse("staff:mfa_required") + "?next=/admin/", headers={"accept-language": "es"}
    )
    assert 'vuelva a <a href="/admin/">donde iba</a>' in own.content.decode()


def test_staff_who_are_not_administrators_may_choose_not_to_use_it(client, city):
    sam = f.staff_user("sam", is_agent=True)
    sign_in(client, "sam")
    assert client.get("/staff/").status_code == 200
    assert not sam.authenticator_set.exists()


def test_the_admin_site_signs_in_through_allauth_where_the_code_is_asked(client, city):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    f.administrator("alex")
    client.post("/admin/login/", {"username": "alex", "password": f.PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/admin/login/")  # still not in


def switch_totp_off(client, username: str, code: str):  # type: ignore[no-untyped-def]
    """Sign in with the code, confirm the password (allauth asks) and switch the app off."""
    sign_in(client, username)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    return client.post(reverse("mfa_deactivate_totp"), follow=True)


def test_an_administrator_cannot_switch_the_authenticator_off_but_staff_can(client, city):
    from allauth.mfa.totp.internal.auth import TOTP

    f.administrator("alex")
    response = switch_totp_off(client, "alex", f.totp_code())
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(user__username="alex", type="totp").exists()

    client.logout()
    cache.clear()
    sam = f.staff_user("sam")
    TOTP.activate(sam, f.TOTP_SECRET)
    switch_totp_off(client, "sam", f.totp_code())
    assert not Authenticator.objects.filter(user=sam, type="totp").exists()
