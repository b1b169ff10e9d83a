""" "This is mine too": follow a nearby open request and count as one more resident who
reported it, instead of filing a duplicate (``workflow.follow`` with ``supporter``).

Following needs somewhere to send the updates and a way to count each resident once, so
it takes an e-mail address, or the signed-in account; nothing else is asked or shown.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from frontdoor.cases import tracking, workflow
from frontdoor.cases.errors import DomainError, InvalidInput
from frontdoor.cases.models import ServiceRequest
from frontdoor.cases.public import public_view
from frontdoor.portal import ratelimit
from frontdoor.portal.views.report import SUBMIT_SCOPE


def me_too(request: HttpRequest, number: str) -> HttpResponse:
    normalised = tracking.normalise(number)
    found = (
        ServiceRequest.objects.filter(tracking_number=normalised).only("pk", "status").first()
        if normalised
        else None
    )
    view = public_view(found, with_timeline=False) if found else None
    if found is None or view is None:
        raise Http404
    user = request.user if request.user.is_authenticated else None
    email = request.POST.get("email", "").strip()[:254] if request.method == "POST" else ""
    context = {"nav": "report", "view": view, "number": tracking.display(view.tracking_number)}
    context.update({"email": email, "open": found.is_open, "error": ""})
    if request.method != "POST" or not found.is_open:
        return render(request, "portal/me_too.html", context)
    if user is None:
        retry = ratelimit.blocked(request, SUBMIT_SCOPE, settings.PORTAL_SUBMISSIONS_PER_WINDOW)
        if retry is not None:
            context["error"] = _(
                "You have sent many reports from this connection in a short time. Please try "
                "again later, or call 311."
            )
            return render(request, "portal/me_too.html", context, status=429)
    try:
        workflow.follow(
            found, actor=workflow.Actor.resident(user), user=user, email=email, supporter=True
        )
    except InvalidInput as exc:
        context["error"] = " ".join(m for messages_ in exc.errors.values() for m in messages_)
        return render(request, "portal/me_too.html", context, status=400)
    except DomainError as exc:
        context["error"] = str(exc)
        return render(request, "portal/me_too.html", context, status=400)
    if user is None:
        ratelimit.count(request, SUBMIT_SCOPE)
    messages.success(
        request,
        _(
            "Thank you: you are counted as one more resident reporting this, and we will "
            "send you its updates."
        ),
    )
    return redirect("portal:track", view.tracking_number)
