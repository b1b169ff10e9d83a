"""Phone and walk-in intake (F10): one page, three steps, each working without JavaScript.

1. Caller: look up a phone number or e-mail address, see past requests, pick the caller
   (or go on with a new one).
2. Service: type a name or keyword (a live list with HTMX, a plain GET without it).
3. The service's form: script and article, questions, location, channel, priority and the
   caller's details; filed through ``workflow.submit`` as the signed-in staff member.

The steps' state lives in the query string (``lookup``, ``caller``, ``q``, ``service``), so
every step is a plain link or GET form and the back button works. After each step the
server puts the cursor where the agent goes next (``focus``), so the keyboard alone is
enough. An information-only contact is a second form on the same page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontdoor.accounts.models import User
from frontdoor.cases.errors import DomainError, InvalidInput
from frontdoor.cases.models import ServiceRequest
from frontdoor.catalogue.models import Service
from frontdoor.staff import actions
from frontdoor.staff.decorators import staff_required
from frontdoor.staff.intake import callers, channels, finder, knowledge
from frontdoor.staff.intake.contacts import log_information_contact
from frontdoor.staff.intake.form import IntakeForm, initial_values
from frontdoor.staff.policy import Action
from frontdoor.staff.roles import request_scope

PAGE = "staff/intake/page.html"
NEW_CALLER = "new"
# The information-only form's fields in page order (for the cursor after an error).
INFO_FOCUS = ("topic", "article", "note", "channel", "name", "phone", "email")


@dataclass(frozen=True)
class State:
    """Where the agent is in the steps (from the query string, or hidden fields)."""

    lookup: str = ""
    caller: str = ""
    q: str = ""
    service: str = ""

    @classmethod
    def read(cls, data: Any) -> State:
        def text(name: str, limit: int) -> str:
            value = data.get(name, "")
            return value[:limit].strip() if isinstance(value, str) else ""

        return cls(
            lookup=text("lookup", callers.MAX_LOOKUP),
            caller=text("caller", 40),
            q=text("q", finder.MAX_QUERY),
            service=text("service", 40),
        )

    def url(self, **changes: str) -> str:
        state = replace(self, **changes)
        query = urlencode({k: v for k, v in vars(state).items() if v})
        return reverse("staff:intake") + (f"?{query}" if query else "")


def _account(value: str) -> User | None:
    """The account picked as the requester (the form's hidden field), or None; raises
    ``InvalidInput`` when it names no active account (a stale or altered form)."""
    if not value:
        return None
    user = None
    if value.isascii() and value.isdigit():
        user = User.objects.filter(pk=int(value), is_active=True).first()
    if user is None:
        raise InvalidInput(
            {"__all__": [_("That account could not be found; look the caller up again.")]}
        )
    return user


def _page(
    request: HttpRequest,
    state: State,
    *,
    form: IntakeForm | None = None,
    info: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "state": state,
        "new_caller": NEW_CALLER,
        "channel_choices": channels.choices(),
    }
    lookup = caller = query = None
    if state.lookup:
        try:
            lookup = callers.lookup(state.lookup)
            query = lookup.query
        except ValueError as exc:
            context["lookup_error"] = str(exc)
    if state.caller and state.caller != NEW_CALLER:
        caller = callers.resolve(state.caller)
        if caller is None:
            context["caller_error"] = _(
                "That caller could not be found any more; look them up again."
            )
    service = finder.by_code(state.service) if state.service else None
    if state.service and service is None:
        context["service_error"] = _("That service is not offered any more; find another.")
    results = finder.search(state.q) if state.q and service is None else []
    articles = knowledge.articles_for(service) if service else []
    if service is not None and form is None:
        form = IntakeForm(service, initial=initial_values(service, caller, query))
    context.update(
        lookup=lookup,
        caller=caller,
        service=service,
        services=results,
        form=form,
        articles=articles,
        article_choices=[(str(entry.article.pk), entry.title) for entry in articles],
        info=info or _info_initial(caller, query, service),
        focus=_focus(state, lookup, caller, service, results, form, info),
    )
    return render(request, PAGE, context, status=status)


def _info_initial(
    caller: callers.Caller | None, query: callers.Query | None, service: Service | None
) -> dict[str, Any]:
    values = {"name": "", "email": "", "phone": "", "account": "", "language": "", "article": ""}
    if caller is not None:
        values.update(
            name=caller.name,
            email=caller.email,
            phone=caller.phone,
            account=str(caller.account.pk) if caller.account else "",
            language=caller.language,
        )
    elif query is not None:
        values["phone" if query.kind == "phone" else "email"] = query.text
    return {"values": values, "errors": {}, "channel": "phone"}


def _focus(
    state: State,
    lookup: callers.Lookup | None,
    caller: callers.Caller | None,
    service: Service | None,
    results: list[Service],
    form: IntakeForm | None,
    info: dict[str, Any] | None,
) -> str:
    """The id of the element the agent works on next."""
    if info is not None and (info["errors"] or info.get("general")):
        first = next((name for name in INFO_FOCUS if name in info["errors"]), "topic")
        return f"id_info_{first}"
    if form is not None and form.errors:
        return form.first_invalid_id or "intake-errors"
    if state.lookup and lookup is None:
        return "id_lookup"
    if lookup is not None and lookup.callers and not state.caller:
        return "pick-caller-0"
    if service is not None:
        if caller is None or not caller.name:
            return "id_name"
        first = next((q for q in form.questions if q.variable), None) if form else None
        return f"id_answer_{first.code}" if first else "id_description"
    if results:
        return "pick-service-0"
    if state.lookup or state.caller or state.q:
        return "id_q"
    return "id_lookup"


@require_http_methods(["GET", "POST"])
@staff_required
def intake(request: HttpRequest) -> HttpResponse:
    """The intake page; a POST files the request for the chosen service."""
    state = State.read(request.GET)
    if request.method == "GET":
        return _page(request, state)
    service = finder.by_code(state.service)
    if service is None:
        messages.error(request, _("That service is not offered any more; find another."))
        return redirect(state.url(service=""))
    form = IntakeForm(service, data=request.POST)
    try:
        account = _account(form.values["account"])
        filed = actions.perform(
            request_scope(request),
            Action.CREATE,
            None,
            service=service.code,
            **form.submit_arguments(account),
        )
    except InvalidInput as exc:
        form.add_errors(exc.errors)
        return _page(request, state, form=form)
    except DomainError as exc:  # the service was withdrawn meanwhile; Forbidden
        form.add_errors({"__all__": [str(exc)]})
        return _page(request, state, form=form)
    return redirect("staff:intake_filed", tracking_number=filed.tracking_number)


@require_GET
@staff_required
def service_results(request: HttpRequest) -> HttpResponse:
    """The live list of services for what is typed so far (HTMX swaps it in)."""
    state = State.read(request.GET)
    services = finder.search(state.q)
    return render(
        request,
        f"{PAGE}#service-results",
        {"state": replace(state, service=""), "services": services},
    )


@require_GET
@staff_required
def filed(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The tracking number, large, to read out to the caller; and a new call."""
    row = (
        ServiceRequest.objects.select_related("service", "group")
        .filter(tracking_number=tracking_number[:16])
        .first()
    )
    if row is None:
        raise Http404(_("There is no request with this tracking number."))
    return render(request, "staff/intake/filed.html", {"filed": row})


@require_POST
@staff_required
def information_contact(request: HttpRequest) -> HttpResponse:
    """Log a contact answered without a request, then start a new call."""
    state = State.read(request.POST)
    names = ("name", "email", "phone", "account", "language", "channel", "topic", "note", "article")
    values = {name: request.POST.get(name, "")[:4000] for name in names}
    service = finder.by_code(state.service) if state.service else None
    info: dict[str, Any] = {"values": values, "errors": {}, "channel": values["channel"]}
    try:
        log_information_contact(
            request_scope(request),
            channel=values["channel"],
            service=service,
            topic=values["topic"],
            note=values["note"],
            caller=_account(values["account"]),
            article=knowledge.article_by_id(values["article"]),
            caller_name=values["name"],
            caller_email=values["email"],
            caller_phone=values["phone"],
            language=values["language"],
        )
    except InvalidInput as exc:
        info["errors"] = exc.errors
        info["general"] = [
            message
            for key, messages in exc.errors.items()
            if key not in INFO_FOCUS
            for message in messages
        ]
        return _page(request, state, info=info)
    messages.success(request, _("Logged as an information-only contact. Ready for a new call."))
    return redirect("staff:intake")
