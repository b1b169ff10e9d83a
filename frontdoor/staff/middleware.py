"""Staff workspace middleware: administrators need two-factor sign-in, and a refused
action shows its reason."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from frontdoor.staff.decorators import forbidden
from frontdoor.staff.policy import Forbidden


def needs_mfa_setup(user: object) -> bool:
    """An administrator without an authenticator app (one query, administrators only)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_superuser", False)
        and not is_mfa_enabled(user, [Authenticator.Type.TOTP])  # type: ignore[arg-type]
    )


class StaffMiddleware:
    """- An administrator without two-factor sign-in who opens the staff workspace or the
      admin site is sent to set it up first (the explanation page, then allauth's).
    - A ``policy.Forbidden`` that escapes a view becomes the staff 403 page with its
      message (a view that catches it can show the message in place instead)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._guarded(request.path) and needs_mfa_setup(request.user):
            url = reverse("staff:mfa_required")
            return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _guarded(path: str) -> bool:
        if path.startswith(reverse("staff:mfa_required")):
            return False
        return path.startswith((reverse("staff:home"), reverse("admin:index")))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Forbidden):
            return forbidden(request, exception.message)
        return None
