"""How allauth treats our accounts."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """City staff start their day in the staff workspace; residents on the home page.
        (A ``?next=`` address, when there is one, still wins: allauth checks it first.)"""
        from frontdoor.staff.roles import request_scope

        if request_scope(request).is_staff_member:
            return reverse("staff:home")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        """The name authenticator apps show next to the code: the city's 311."""
        from frontdoor.catalogue.models import City

        try:
            return f"{City.current().name} 311"
        except City.DoesNotExist:
            return "Frontdoor 311"

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Administrators must keep their authenticator app (another administrator can
        remove a lost one in the admin)."""
        user = authenticator.user
        return not (user.is_superuser and authenticator.type == Authenticator.Type.TOTP)
