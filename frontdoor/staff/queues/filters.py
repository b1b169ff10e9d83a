"""The queue filters, search and sort: read from the query string, checked, applied.

A value the form does not accept is left out (with a message saying which) and the rest
still apply, so an edited or outdated link never fails. The choices (services, zones,
groups, people) come from the catalogue cache: showing and checking them costs no query
after the first page in a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from frontdoor.cases.models import Channel, ServiceRequest, Status
from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import Department, Membership, Priority, Service, WorkGroup, Zone
from frontdoor.staff.queues import search
from frontdoor.staff.queues.definitions import Queue

UNASSIGNED = "none"
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50

# Ages as the supervisor view buckets them, in whole days since the request was filed.
AGES: dict[str, tuple[int, int | None]] = {
    "0-2": (0, 2),
    "3-7": (3, 7),
    "8-30": (8, 30),
    "31+": (31, None),
}
AGE_LABELS = {
    "0-2": _("0–2 days"),
    "3-7": _("3–7 days"),
    "8-30": _("8–30 days"),
    "31+": _("More than 30 days"),
}

PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}

SORTS: dict[str, tuple[Any, str | Any]] = {
    # name: (label, ordering before the tie-breaker on pk)
    "due": (_("Due soonest"), F("due_at").asc(nulls_last=True)),
    "requested": (_("Oldest first"), "requested_at"),
    "-requested": (_("Newest first"), "-requested_at"),
    "-updated": (_("Recently updated"), "-updated_at"),
    "priority": (_("Highest priority"), "priority_rank"),
    "resident": (_("Resident wrote last"), F("resident_wrote_at").desc(nulls_last=True)),
}


@dataclass(frozen=True)
class Options:
    """The choices of the filter and bulk-action menus."""

    services: list[tuple[int, str]]
    zones: list[tuple[int, str]]
    groups: list[tuple[int, str, int]]  # pk, name, department pk
    departments: dict[int, str]
    # user pk -> (display name, {group pks})
    members: dict[int, tuple[str, frozenset[int]]]


def options() -> Options:
    return cached(("staff-queue-options", get_language()), _load_options)


def _load_options() -> Options:
    services = [
        (service.pk, service.name)
        for service in Service.objects.order_by("category__order", "order", "code")
    ]
    zones = [(zone.pk, str(zone)) for zone in Zone.objects.filter(active=True)]
    groups = [
        (group.pk, group.name, group.department_id)
        for group in WorkGroup.objects.filter(active=True).order_by("name")
    ]
    departments = {department.pk: department.name for department in Department.objects.all()}
    members: dict[int, tuple[str, set[int]]] = {}
    for membership in Membership.objects.filter(user__is_active=True).select_related("user"):
        _name, group_ids = members.setdefault(
            membership.user_id, (membership.user.display_name, set())
        )
        group_ids.add(membership.group_id)
    return Options(
        services,
        zones,
        groups,
        departments,
        {
            pk: (name, frozenset(group_ids))
            for pk, (name, group_ids) in sorted(members.items(), key=lambda item: item[1][0])
        },
    )


class Select(forms.Select):
    """A ``<select>`` written in Python: the template-per-option rendering of Django's
    widget costs about a millisecond per option, and the filter menus have hundreds."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        attributes = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attributes), options)


def _empty(label: str | Any) -> list[tuple[str, Any]]:
    return [("", label)]


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=search.MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Tracking number, name, phone, e-mail, address or words"),
            }
        ),
    )
    service = forms.TypedChoiceField(widget=Select, label=_("Service"), required=False, coerce=int)
    status = forms.ChoiceField(widget=Select, label=_("Status"), required=False)
    zone = forms.TypedChoiceField(widget=Select, label=_("Zone"), required=False, coerce=int)
    age = forms.ChoiceField(widget=Select, label=_("Age"), required=False)
    channel = forms.ChoiceField(widget=Select, label=_("Channel"), required=False)
    priority = forms.ChoiceField(widget=Select, label=_("Priority"), required=False)
    assignee = forms.ChoiceField(widget=Select, label=_("Assignee"), required=False)
    group = forms.TypedChoiceField(widget=Select, label=_("Group"), required=False, coerce=int)
    sort = forms.ChoiceField(widget=Select, label=_("Sort"), required=False)
    per_page = forms.TypedChoiceField(
        widget=Select, label=_("Per page"), required=False, coerce=int
    )

    FILTERS = ("service", "status", "zone", "age", "channel", "priority", "assignee", "group")

    def __init__(self, data: Any, *, queue: Queue, choices: Options, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.queue = queue
        anything = _("Any")
        fields = self.fields
        fields["service"].choices = _empty(anything) + choices.services  # type: ignore[attr-defined]
        fields["status"].choices = _empty(anything) + list(Status.choices)  # type: ignore[attr-defined]
        fields["zone"].choices = _empty(anything) + choices.zones  # type: ignore[attr-defined]
        fields["age"].choices = _empty(anything) + list(AGE_LABELS.items())  # type: ignore[attr-defined]
        fields["channel"].choices = _empty(anything) + list(Channel.choices)  # type: ignore[attr-defined]
        fields["priority"].choices = _empty(anything) + list(Priority.choices)  # type: ignore[attr-defined]
        fields["assignee"].choices = (  # type: ignore[attr-defined]
            _empty(anything)
            + [(UNASSIGNED, _("Nobody (unassigned)"))]
            + [(str(pk), name) for pk, (name, _groups) in choices.members.items()]
        )
        fields["group"].choices = _empty(anything) + [  # type: ignore[attr-defined]
            (pk, name) for pk, name, _department in choices.groups
        ]
        sorts = [
            (name, label)
            for name, (label, _order) in SORTS.items()
            if name != "resident" or queue.default_sort == "resident"
        ]
        fields["sort"].choices = sorts  # type: ignore[attr-defined]
        fields["per_page"].choices = [(size, size) for size in PAGE_SIZES]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The accepted values (bound or not; invalid ones left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    @property
    def problems(self) -> list[str]:
        """One message per value that was left out."""
        self.is_valid()
        return [
            f"{self.fields[name].label}: {' '.join(messages)}"
            for name, messages in self.errors.items()
        ]

    @property
    def sort_name(self) -> str:
        return self.values().get("sort") or self.queue.default_sort

    @property
    def page_size(self) -> int:
        return self.values().get("per_page") or DEFAULT_PAGE_SIZE

    @property
    def search(self) -> search.Search:
        return search.parse(self.values().get("q"))

    @property
    def filtering(self) -> bool:
        """A search or a filter is given (the "Find a request" page lists only then)."""
        values = self.values()
        return bool(values.get("q")) or any(name in values for name in self.FILTERS)

    def query_string(self, **changes: Any) -> str:
        """The accepted values as a query string (for links, pages and saved views)."""
        values = {**self.values(), **changes}
        if values.get("sort") == self.queue.default_sort:
            values.pop("sort")
        if values.get("per_page") == DEFAULT_PAGE_SIZE:
            values.pop("per_page")
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def apply(self, queryset: QuerySet[ServiceRequest], now: datetime) -> QuerySet[ServiceRequest]:
        values = self.values()
        queryset = _filter(queryset, values, now)
        queryset = search.apply(queryset, self.search)
        return _sort(queryset, self.sort_name)


def _filter(
    queryset: QuerySet[ServiceRequest], values: dict[str, Any], now: datetime
) -> QuerySet[ServiceRequest]:
    simple = {
        "service": "service_id",
        "status": "status",
        "channel": "channel",
        "priority": "priority",
        "group": "group_id",
    }
    for name, lookup in simple.items():
        if name in values:
            queryset = queryset.filter(**{lookup: values[name]})
    if "zone" in values:
        queryset = queryset.filter(zones=values["zone"])
    if "assignee" in values:
        if values["assignee"] == UNASSIGNED:
            queryset = queryset.filter(assignee__isnull=True)
        else:
            queryset = queryset.filter(assignee_id=int(values["assignee"]))
    if "age" in values:
        youngest, oldest = AGES[values["age"]]
        # Filed at least ``youngest`` and at most ``oldest`` whole days ago.
        queryset = queryset.filter(requested_at__lte=now - timedelta(days=youngest))
        if oldest is not None:
            queryset = queryset.filter(requested_at__gt=now - timedelta(days=oldest + 1))
    return queryset


def _sort(queryset: QuerySet[ServiceRequest], sort: str) -> QuerySet[ServiceRequest]:
    if sort == "priority":
        queryset = queryset.alias(
            priority_rank=Case(
                *(When(priority=value, then=Value(rank)) for value, rank in PRIORITY_RANK.items()),
                default=Value(len(PRIORITY_RANK)),
                output_field=IntegerField(),
            )
        )
        return queryset.order_by("priority_rank", F("due_at").asc(nulls_last=True), "pk")
    _label, ordering = SORTS[sort]
    tie = "-pk" if isinstance(ordering, str) and ordering.startswith("-") else "pk"
    return queryset.order_by(ordering, tie)
