"""View decorators and the refusal page of the staff workspace."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from frontdoor.staff.roles import request_scope

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str | Promise) -> HttpResponse:
    """403 with a message saying why: the whole page, or for an htmx request just the
    message, swapped into the page's messages area (the layout lets htmx swap 4xx)."""
    if getattr(request, "htmx", False):
        response = render(request, "staff/_refusal.html", {"message": message}, status=403)
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "staff/forbidden.html", {"message": message}, status=403)


def staff_required(view: View) -> View:
    """Anonymous visitors go to the sign-in page (and come back); signed-in people without
    any staff role get a 403 page that says so."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                # A fragment request: send the whole page to sign-in, back to the page.
                current = request.htmx.current_url_abs_path or request.get_full_path()  # type: ignore[attr-defined]
                return HttpResponseClientRedirect(
                    redirect_to_login(current, settings.LOGIN_URL)["Location"]
                )
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not request_scope(request).is_staff_member:
            return forbidden(
                request,
                _(
                    "The staff workspace is for city employees, and your account has no "
                    "staff role. If you work for the city, ask an administrator to add you "
                    "to your work group."
                ),
            )
        return view(request, *args, **kwargs)

    return wrapper
