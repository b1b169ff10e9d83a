"""The case page (``/staff/requests/<number>/``) and its actions
(``/staff/requests/<number>/<action>/``).

Every action is a small form that posts to its own URL. Without JavaScript the answer is
Post/Redirect/Get with a message; with HTMX (``request.htmx``) it is the parts of the page
that changed — details, photos, timeline and the action forms (every change bumps the
request's version, which every form carries) — swapped out of band, plus the message.
Refusals change nothing and say why: 403 for a forbidden action, 409 when the request is
in the wrong state or someone else changed it meanwhile (with the fresh state), 422 for
bad input (the message next to the field).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontdoor.cases.errors import DomainError, InvalidInput, StaleRequest
from frontdoor.cases.models import ServiceRequest
from frontdoor.staff import case_actions, casefile, policy
from frontdoor.staff.case_actions import CaseAction
from frontdoor.staff.decorators import forbidden, staff_required
from frontdoor.staff.forms import ActionForm
from frontdoor.staff.policy import Action, Forbidden
from frontdoor.staff.roles import Scope, request_scope

PAGE = "staff/case/page.html"
SWAP = "staff/case/swap.html"
ALL_PARTS = frozenset({"details", "photos", "actions", "timeline"})

# Optional pieces other branches provide. Each page works without them.
# knowledge: the canned-response picker ``{% canned_picker %}``, which renders the reply box
# itself; this template calls it, and compiles only where its template library exists.
CANNED_PICKER = "staff/case/_canned_slot.html"


@functools.cache
def optional_template(name: str) -> str | None:
    """``name`` if that template exists and compiles in this installation (the tag
    libraries it loads are installed), else None."""
    try:
        get_template(name)
    except (TemplateDoesNotExist, TemplateSyntaxError):
        return None
    return name


def _duplicate_finder() -> Callable[..., list[Any]] | None:
    """``frontdoor.cases.duplicates.suggest_duplicates`` (branch ``staff-domain``) when it
    is installed: nearby open requests of the same service, offered in the merge form."""
    try:
        from frontdoor.cases.duplicates import suggest_duplicates  # type: ignore[import-not-found]
    except ImportError:
        return None
    return suggest_duplicates  # type: ignore[no-any-return]


def _suggestions(req: ServiceRequest) -> list[dict[str, Any]]:
    finder = _duplicate_finder()
    if finder is None:
        return []
    found = []
    for item in finder(req):
        # A suggestion is a request, or something with ``.request`` and ``.distance_m``.
        other = getattr(item, "request", item)
        found.append({"request": other, "distance_m": getattr(item, "distance_m", None)})
    return found


def _context(
    scope: Scope,
    req: ServiceRequest,
    *,
    bound: tuple[str, ActionForm] | None = None,
    notice: tuple[str, str] | None = None,
) -> dict[str, Any]:
    offered = case_actions.available(scope, req)
    forms = []
    for entry in offered:
        if bound is not None and bound[0] == entry.slug:
            form = bound[1]
        else:
            form = case_actions.make_form(entry, req)
        forms.append(
            {
                "entry": entry,
                "form": form,
                "url": reverse("staff:case_action", args=[req.tracking_number, entry.slug]),
                "open": entry.open or (bound is not None and bound[0] == entry.slug),
                "notice": notice[1] if notice and notice[0] == entry.slug else "",
            }
        )
    slugs = {entry.slug for entry in offered}
    return {
        "case": casefile.load(req),
        "action_forms": forms,
        "reachable": case_actions.reachable(req),
        "suggestions": _suggestions(req) if "merge" in slugs else [],
        "canned_picker": optional_template(CANNED_PICKER) if "reply" in slugs else None,
        "map_tiles": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _answer(
    request: HttpRequest,
    context: dict[str, Any],
    *,
    status: int,
    swap: AbstractSet[str],
    level: str,
    message: str,
) -> HttpResponse:
    """The case page with ``message`` (no JavaScript), or for HTMX the ``swap`` parts of
    it and the message, each swapped by id."""
    if request.htmx:
        context |= {"swap": swap, "feedback": [{"level": level, "text": message}]}
        return _render(request, SWAP, context, status=status)
    messages.add_message(request, messages.ERROR if level == "error" else messages.INFO, message)
    return _render(request, PAGE, context, status=status)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # Times show in the city's time zone, whatever the server's.
    with timezone.override(casefile.city_zone()):
        return render(request, template, context, status=status)


def _not_found(request: HttpRequest, typed: str) -> HttpResponse:
    return _render(request, "staff/case/not_found.html", {"typed": typed[:40]}, status=404)


@staff_required
@require_GET
def case(request: HttpRequest, number: str) -> HttpResponse:
    """The case page, for anyone ``policy.visible`` lets see the request."""
    scope = request_scope(request)
    try:
        req = casefile.find_request(scope, number)
    except casefile.CaseNotFound:
        return _not_found(request, number)
    if number != req.tracking_number:  # typed with dashes or spaces: one address per case
        return redirect("staff:case", req.tracking_number)
    return _render(request, PAGE, _context(scope, req))


@staff_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Do one action on the request; see the module docstring for the answers."""
    scope = request_scope(request)
    entry = case_actions.BY_SLUG.get(action)
    if entry is None:
        raise Http404("no such action")
    try:
        req = casefile.find_request(scope, number)
    except casefile.CaseNotFound:
        return _not_found(request, number)
    form = case_actions.make_form(entry, req, request.POST, request.FILES)
    try:
        # Forbidden first: a person who may not act learns that, not that a field is empty.
        _require(scope, entry, req)
        if not form.is_valid():
            return _refused(request, scope, req, entry, form, status=422)
        form.perform(scope)
    except Forbidden as exc:
        return _forbidden(request, exc)
    except InvalidInput as exc:
        form.add_domain_errors(exc)
        return _refused(request, scope, req, entry, form, status=422)
    except StaleRequest as exc:
        kept = _("The page now shows the request as it is; what you typed is kept.")
        message = f"{exc} {kept}"
        return _moved_on(request, scope, req.tracking_number, entry, form, message)
    except DomainError as exc:  # the wrong status for this, a request that vanished, …
        return _moved_on(
            request, scope, req.tracking_number, entry, form, str(exc), keep_input=False
        )
    return _done(request, scope, req.tracking_number, entry)


def _require(scope: Scope, entry: CaseAction, req: ServiceRequest) -> None:
    policy.require(scope, entry.action, req)
    if entry.action == Action.CLOSE:  # a closing photo is stored too
        policy.require(scope, Action.ADD_ATTACHMENT, req)


def _forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    if request.htmx:
        return _answer(request, {}, status=403, swap=set(), level="error", message=str(exc))
    return forbidden(request, exc.message)


def _refused(
    request: HttpRequest,
    scope: Scope,
    req: ServiceRequest,
    entry: CaseAction,
    form: ActionForm,
    *,
    status: int,
) -> HttpResponse:
    """Bad input: nothing was written; the form comes back with its messages."""
    context = _context(scope, req, bound=(entry.slug, form))
    return _answer(
        request, context, status=status, swap={"actions"}, level="error", message=_first_error(form)
    )


def _first_error(form: ActionForm) -> str:
    for field, errors in form.errors.items():
        if errors:
            label = form.fields[field].label if field in form.fields else None
            if label and field != "version":
                return f"{label}: {errors[0]}"
            return str(errors[0])
    return ""


def _moved_on(
    request: HttpRequest,
    scope: Scope,
    number: str,
    entry: CaseAction,
    form: ActionForm,
    message: str,
    *,
    keep_input: bool = True,
) -> HttpResponse:
    """The request is not as the form expected (changed meanwhile, or in a status that
    does not allow this): show its fresh state and the reason; what was typed stays in
    the form when it is still offered, so nothing typed is lost."""
    try:
        fresh = casefile.find_request(scope, number)
    except casefile.CaseNotFound:
        return _not_found(request, number)
    bound = None
    if keep_input and entry in case_actions.available(scope, fresh):
        typed = {
            name: form.data.get(name)
            for name in form.fields
            if name != "version" and name in form.data
        }
        bound = (entry.slug, case_actions.make_form(entry, fresh, initial=typed))
    context = _context(scope, fresh, bound=bound, notice=(entry.slug, message))
    return _answer(request, context, status=409, swap=ALL_PARTS, level="error", message=message)


def _done(request: HttpRequest, scope: Scope, number: str, entry: CaseAction) -> HttpResponse:
    if not request.htmx:
        messages.success(request, str(entry.done))
        return redirect("staff:case", number)
    fresh = casefile.find_request(scope, number)
    swap = {"details", "timeline", "actions"} | ({"photos"} if entry.photos else set())
    return _answer(
        request,
        _context(scope, fresh),
        status=200,
        swap=swap,
        level="success",
        message=str(entry.done),
    )
