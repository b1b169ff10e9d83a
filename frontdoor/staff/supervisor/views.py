"""The supervisor page. Reassignment posts the bulk form of the queues."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from frontdoor.staff.decorators import forbidden, staff_required
from frontdoor.staff.queues.bulk import BulkForm
from frontdoor.staff.queues.filters import AGE_LABELS, options
from frontdoor.staff.queues.rows import present
from frontdoor.staff.queues.views import bulk_choices
from frontdoor.staff.roles import request_scope
from frontdoor.staff.supervisor.overview import LIST_SIZE, build


@staff_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.oversees:
        return forbidden(
            request,
            _(
                "The supervisor view is for the supervisors of a department and for "
                "administrators. Your queues show the work of your own groups."
            ),
        )
    now = timezone.now()
    data = build(scope, now)
    choices = options()
    lists = [
        {
            "queue": "overdue",
            "title": _("Overdue"),
            "rows": present(scope, data.overdue, now),
            "more": _("All overdue requests"),
            "empty": _("Nothing is overdue."),
        },
        {
            "queue": "at_risk",
            "title": _("At risk"),
            "rows": present(scope, data.at_risk, now),
            "more": _("All requests at risk"),
            "empty": _("Nothing is at risk."),
        },
    ]
    context = {
        "overview": data,
        "lists": lists,
        "age_labels": AGE_LABELS,
        "list_size": LIST_SIZE,
        "bulk_form": BulkForm(None, choices=choices),
        **bulk_choices(scope, choices),
    }
    return render(request, "staff/supervisor.html", context)
