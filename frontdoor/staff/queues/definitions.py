"""The work queues: who sees which, and which requests each holds.

Every queue starts from ``policy.actionable`` (the requests this person works on) except
the general-request triage queue and "Find a request", which start from
``policy.visible`` (any staff member, agents included, may read every request). The rules
are in one table, so a page, a saved view, a test and the benchmark ask the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from frontdoor.cases.models import OPEN_STATUSES, Event, ServiceRequest, Status
from frontdoor.catalogue.models import City
from frontdoor.staff import policy
from frontdoor.staff.queues.due import at_risk_q, overdue_q
from frontdoor.staff.roles import Scope

# "Updated by the resident": a message from the requester within this many days.
RESIDENT_UPDATE_DAYS = 14


@dataclass(frozen=True)
class Queue:
    name: str
    label: str | Promise
    description: str | Promise
    # Who has this queue (and sees it in the menu); others get the forbidden page.
    available: Callable[[Scope], bool]
    # The queue's requests for this person, before filters, search and sort.
    requests: Callable[[Scope, datetime], QuerySet[ServiceRequest]]
    default_sort: str = "due"
    # Search-first: without a search or filter the page asks for one instead of listing.
    search_first: bool = False
    refused: str | Promise = ""


def _lazy_format(message: Promise, **values: object) -> Promise:
    """``message % values`` in the language active when it is shown, not at import."""
    return lazy(lambda: str(message) % values, str)()


def _open(queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return queryset.filter(status__in=OPEN_STATUSES)


def _works_on_groups(scope: Scope) -> bool:
    return scope.is_admin or bool(scope.actionable_group_ids)


def _mine(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    return _open(policy.actionable(scope, ServiceRequest.objects.filter(assignee=scope.user)))


def _groups(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    return _open(policy.actionable(scope, ServiceRequest.objects.all()))


def _unassigned(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    return _groups(scope, now).filter(assignee__isnull=True)


def _triage(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    """Requests in the city's triage group or of its general ("something else") service,
    wherever they were routed: someone has to find them a home."""
    city = City.current()
    where = Q(pk__in=[])
    if city.triage_group_id is not None:
        where |= Q(group_id=city.triage_group_id)
    if city.general_service_id is not None:
        where |= Q(service_id=city.general_service_id)
    return _open(policy.visible(scope, ServiceRequest.objects.filter(where)))


def _on_hold(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    return policy.actionable(scope, ServiceRequest.objects.filter(status=Status.ON_HOLD))


def _at_risk(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    return policy.actionable(scope, ServiceRequest.objects.filter(at_risk_q(now)))


def _overdue(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    return policy.actionable(scope, ServiceRequest.objects.filter(overdue_q(now)))


def _resident_updates(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    """Open requests the resident wrote about lately, newest message first.

    An approximation until requests carry their own mark: it reads the
    ``request.message_received`` events (partial index ``event_message_received_idx``).
    Branch ``staff-domain`` adds ``ServiceRequest.resident_updated_at`` (set by the
    resident's message, photo or reopening, cleared by the next staff change, with the
    partial index ``req_resident_updated_idx``); once merged, this queue becomes
    ``_groups(scope, now).filter(resident_updated_at__isnull=False)`` sorted on that
    field, and ``event_message_received_idx`` can go."""
    since = now - timedelta(days=RESIDENT_UPDATE_DAYS)
    messages = Event.objects.filter(
        action=Event.Action.MESSAGE_FROM_REQUESTER, created_at__gte=since
    )
    latest = (
        messages.filter(request=OuterRef("pk"))
        .values("request")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    return (
        _groups(scope, now)
        .filter(pk__in=messages.values("request"))
        .annotate(resident_wrote_at=Subquery(latest))
    )


def _everything(scope: Scope, now: datetime) -> QuerySet[ServiceRequest]:
    return policy.visible(scope, ServiceRequest.objects.all())


QUEUES: dict[str, Queue] = {
    queue.name: queue
    for queue in (
        Queue(
            "mine",
            _("Assigned to me"),
            _("Open requests assigned to you."),
            lambda scope: bool(scope.group_ids),
            _mine,
            refused=_("Only members of a work group have requests assigned to them."),
        ),
        Queue(
            "groups",
            _("My groups"),
            _("Open requests of the groups you work in or supervise."),
            _works_on_groups,
            _groups,
        ),
        Queue(
            "unassigned",
            _("Unassigned"),
            _("Open requests of your groups that nobody has taken yet."),
            _works_on_groups,
            _unassigned,
            default_sort="requested",
        ),
        Queue(
            "triage",
            _("General-request triage"),
            _(
                "Open requests in the city's triage group or of the general service: "
                "find each a home."
            ),
            lambda scope: scope.is_staff_member,
            _triage,
            default_sort="requested",
        ),
        Queue(
            "on_hold",
            _("On hold"),
            _("Requests of your groups waiting on the resident, another agency or materials."),
            _works_on_groups,
            _on_hold,
        ),
        Queue(
            "at_risk",
            _("At risk"),
            _("Open requests of your groups close to missing their service-level target."),
            _works_on_groups,
            _at_risk,
        ),
        Queue(
            "overdue",
            _("Overdue"),
            _("Open requests of your groups that missed their service-level target."),
            _works_on_groups,
            _overdue,
        ),
        Queue(
            "resident",
            _("Updated by the resident"),
            _lazy_format(
                _("Open requests of your groups whose requester wrote in the last %(days)s days."),
                days=RESIDENT_UPDATE_DAYS,
            ),
            _works_on_groups,
            _resident_updates,
            default_sort="resident",
        ),
        Queue(
            "all",
            _("Find a request"),
            _(
                "Every request, open or closed: search by tracking number, name, phone, "
                "e-mail, address or words of the description."
            ),
            lambda scope: scope.is_staff_member,
            _everything,
            default_sort="-requested",
            search_first=True,
        ),
    )
}

_REFUSED_DEFAULT = _(
    "This queue is for staff who work on a group's requests; you are not a member or "
    "supervisor of any work group."
)


def refusal(queue: Queue) -> str | Promise:
    return queue.refused or _REFUSED_DEFAULT


def available_queues(scope: Scope) -> list[Queue]:
    return [queue for queue in QUEUES.values() if queue.available(scope)]


def home_queue(scope: Scope) -> Queue:
    """Where a person starts: call-takers at the search, group members at their own
    work, supervisors and administrators at their groups'."""
    if scope.is_agent:
        return QUEUES["all"]
    if scope.group_ids:
        return QUEUES["mine"]
    if _works_on_groups(scope):
        return QUEUES["groups"]
    return QUEUES["all"]
