"""Staff pages. Every view is wrapped in ``staff_required``; actions go through
``frontdoor.staff.actions.perform``. The queues live in ``frontdoor.staff.queues``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from frontdoor.staff.middleware import needs_mfa_setup


def mfa_required(request: HttpRequest) -> HttpResponse:
    """Why an administrator must set up two-factor sign-in, with the way to do it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if not needs_mfa_setup(request.user):
        return redirect(next_url or "staff:home")
    return render(request, "staff/mfa_required.html", {"next_url": next_url})
