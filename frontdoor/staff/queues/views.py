"""The queue pages, bulk actions and saved views.

A queue page costs a fixed number of queries whatever it shows: the session and user,
the person's scope (two), the saved views, the bounded count and the page's rows with
their service, group and assignee joined in. The filter menus come from the catalogue
cache. With HTMX the filter form, the pages and the bulk form swap only the results.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from frontdoor.staff.decorators import forbidden, staff_required
from frontdoor.staff.models import SavedView
from frontdoor.staff.queues import bulk as bulk_actions
from frontdoor.staff.queues import paging
from frontdoor.staff.queues.definitions import (
    QUEUES,
    Queue,
    available_queues,
    home_queue,
    refusal,
)
from frontdoor.staff.queues.filters import Options, QueueFilterForm, options
from frontdoor.staff.queues.rows import list_rows, present
from frontdoor.staff.roles import Scope, request_scope

RESULTS = "queue-results"


def bulk_choices(scope: Scope, choices: Options) -> dict[str, Any]:
    """The bulk form's menus as ``<option>`` lists: people one may assign to (members of
    the groups one acts in) and groups one may forward to (any active group)."""
    members = [
        (pk, name)
        for pk, (name, group_ids) in choices.members.items()
        if scope.is_admin or group_ids & scope.actionable_group_ids
    ]
    groups = [(pk, name) for pk, name, _department in choices.groups]
    return {
        "assignee_options": format_html_join("", '<option value="{}">{}</option>', members),
        "group_options": format_html_join("", '<option value="{}">{}</option>', groups),
    }


@staff_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The person's own starting queue (see ``definitions.home_queue``)."""
    return _queue_page(request, home_queue(request_scope(request)))


@staff_required
@require_GET
def queue(request: HttpRequest, name: str) -> HttpResponse:
    found = QUEUES.get(name)
    if found is None:
        raise Http404(_("There is no such queue."))
    if not found.available(request_scope(request)):
        return forbidden(request, refusal(found))
    return _queue_page(request, found)


def _queue_page(request: HttpRequest, queue: Queue) -> HttpResponse:
    scope = request_scope(request)
    now = timezone.now()
    choices = options()
    form = QueueFilterForm(request.GET, queue=queue, choices=choices)
    listing = not queue.search_first or form.filtering
    page = None
    if listing:
        queryset = form.apply(queue.requests(scope, now), now)
        page = paging.paginate(list_rows(queryset), request.GET.get("page"), form.page_size)
        page = replace(page, rows=present(scope, page.rows, now))
    queue_url = reverse("staff:queue", args=[queue.name])
    query = form.query_string()
    saved_views = list(SavedView.objects.filter(user=request.user))
    context = {
        "queue": queue,
        "queue_url": queue_url,
        "queues": available_queues(scope),
        "form": form,
        "search": form.search,
        "listing": listing,
        "page": page,
        "query": query,
        "here": f"{queue_url}?{query}" if query else queue_url,
        "page_query": f"{query}&" if query else "",
        "saved_views": saved_views,
        "current_view": next(
            (v for v in saved_views if v.queue == queue.name and v.query == query), None
        ),
        "selectable": page is not None and any(row.selectable for row in page.rows),
        "bulk_form": bulk_actions.BulkForm(None, choices=choices),
        "scope": scope,
        "my_groups": [
            (name, choices.departments.get(department, ""))
            for pk, name, department in choices.groups
            if pk in scope.group_ids
        ],
        "my_departments": [
            name
            for pk, name in choices.departments.items()
            if pk in scope.supervised_department_ids
        ],
        **bulk_choices(scope, choices),
    }
    if _wants_results(request):
        # The address bar shows the accepted filters only, not every empty field.
        return push_url(render(request, "staff/queue.html#results", context), context["here"])
    return render(request, "staff/queue.html", context)


def _wants_results(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == RESULTS and not htmx.history_restore_request


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/staff/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("staff:home")


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Do one action on the selected rows, each through ``actions.perform``; say what
    was done and what was refused, and go back to the list (Post/Redirect/Get)."""
    form = bulk_actions.BulkForm(request.POST, choices=options())
    if not form.is_valid():
        messages.error(request, " ".join(form.problems))
        return redirect(_next_url(request))
    outcome = bulk_actions.run(request_scope(request), form)
    if not outcome.refused:
        messages.success(request, outcome.summary)
    elif outcome.done:
        messages.warning(request, outcome.summary)
    else:
        messages.error(request, outcome.summary)
    return redirect(_next_url(request))


@staff_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    """Save the queue's current filters and sort under a name (the same name again
    replaces that view)."""
    found = QUEUES.get(request.POST.get("queue", ""))
    name = " ".join(request.POST.get("name", "").split())
    back = _next_url(request)
    if found is None or not found.available(request_scope(request)):
        messages.error(request, _("That queue cannot be saved."))
        return redirect(back)
    if not name or len(name) > SavedView._meta.get_field("name").max_length:
        messages.error(request, _("Give the view a name of at most 80 characters."))
        return redirect(back)
    form = QueueFilterForm(
        QueryDict(request.POST.get("query", "")[:2000]), queue=found, choices=options()
    )
    view, created = SavedView.objects.update_or_create(
        user=request.user, name=name, defaults={"queue": found.name, "query": form.query_string()}
    )
    if created:
        messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    else:
        messages.success(request, _("Updated the view “%(name)s”.") % {"name": view.name})
    return redirect("staff:saved_view", view.pk)


@staff_required
@require_GET
def saved_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    url = reverse("staff:queue", args=[view.queue])
    return redirect(f"{url}?{view.query}" if view.query else url)


@staff_required
@require_POST
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    view.delete()
    messages.success(request, _("Deleted the view “%(name)s”.") % {"name": view.name})
    return redirect(_next_url(request))
