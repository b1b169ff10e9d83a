"""The supervisor view's figures, in a fixed number of queries whatever the size of the
departments: departments, groups, one grouped count over the open requests, one for the
workload per person, the members, and the two bounded lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from frontdoor.cases.models import OPEN_STATUSES, ServiceRequest
from frontdoor.catalogue.models import Department, Membership, WorkGroup
from frontdoor.staff.queues.due import at_risk_q, overdue_q
from frontdoor.staff.queues.filters import AGE_LABELS, AGES
from frontdoor.staff.queues.rows import list_rows
from frontdoor.staff.roles import Scope

# Rows in each of the at-risk and overdue lists; the queues hold the rest.
LIST_SIZE = 20


@dataclass
class Figures:
    """Counts of open requests (a group's, or a department's total)."""

    open: int = 0
    unassigned: int = 0
    at_risk: int = 0
    overdue: int = 0
    ages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGES, 0))

    @property
    def labelled_ages(self) -> list[tuple[str, int]]:
        return [(str(AGE_LABELS[bucket]), count) for bucket, count in self.ages.items()]

    def add(self, other: Figures) -> None:
        self.open += other.open
        self.unassigned += other.unassigned
        self.at_risk += other.at_risk
        self.overdue += other.overdue
        for bucket, count in other.ages.items():
            self.ages[bucket] += count


@dataclass
class GroupRow:
    group: WorkGroup
    figures: Figures


@dataclass
class PersonLoad:
    user_id: int
    name: str
    open_assigned: int = 0
    member: bool = True  # False: still has requests here but left the department's groups


@dataclass
class DepartmentView:
    department: Department
    groups: list[GroupRow] = field(default_factory=list)
    totals: Figures = field(default_factory=Figures)
    people: list[PersonLoad] = field(default_factory=list)


@dataclass
class Overview:
    departments: list[DepartmentView]
    at_risk: list[ServiceRequest]
    overdue: list[ServiceRequest]
    group_ids: frozenset[int]


def departments_for(scope: Scope) -> QuerySet[Department]:
    if scope.is_admin:
        return Department.objects.filter(active=True)
    return Department.objects.filter(pk__in=scope.supervised_department_ids)


def build(scope: Scope, now: datetime) -> Overview:
    views = {d.pk: DepartmentView(d) for d in departments_for(scope).order_by("name")}
    groups = list(
        WorkGroup.objects.filter(department_id__in=views).order_by("department__name", "name")
    )
    group_ids = frozenset(group.pk for group in groups)
    department_of = {group.pk: group.department_id for group in groups}
    open_here = ServiceRequest.objects.filter(status__in=OPEN_STATUSES, group_id__in=group_ids)

    figures = _figures(open_here, now)
    for group in groups:
        row = GroupRow(group, figures.get(group.pk, Figures()))
        views[group.department_id].groups.append(row)
        views[group.department_id].totals.add(row.figures)

    _workload(views, open_here, group_ids, department_of)

    def listed(where: Q) -> list[ServiceRequest]:
        return list(list_rows(open_here.filter(where)).order_by("due_at", "pk")[:LIST_SIZE])

    return Overview(list(views.values()), listed(at_risk_q(now)), listed(overdue_q(now)), group_ids)


def _figures(open_here: QuerySet[ServiceRequest], now: datetime) -> dict[int, Figures]:
    ages = {}
    for bucket, (youngest, oldest) in AGES.items():
        where = Q(requested_at__lte=now - timedelta(days=youngest))
        if oldest is not None:
            where &= Q(requested_at__gt=now - timedelta(days=oldest + 1))
        ages[f"age_{bucket}"] = Count("pk", filter=where)
    rows = open_here.values("group_id").annotate(
        total=Count("pk"),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        at_risk=Count("pk", filter=at_risk_q(now)),
        overdue=Count("pk", filter=overdue_q(now)),
        **ages,
    )
    return {
        row["group_id"]: Figures(
            row["total"],
            row["unassigned"],
            row["at_risk"],
            row["overdue"],
            {bucket: row[f"age_{bucket}"] for bucket in AGES},
        )
        for row in rows.order_by()
    }


def _workload(
    views: dict[int, DepartmentView],
    open_here: QuerySet[ServiceRequest],
    group_ids: frozenset[int],
    department_of: dict[int, int],
) -> None:
    """Open assigned requests per person and department; members with none count too."""
    people: dict[tuple[int, int], PersonLoad] = {}
    for membership in (
        Membership.objects.filter(group_id__in=group_ids, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    ):
        key = (department_of[membership.group_id], membership.user_id)
        people.setdefault(key, PersonLoad(membership.user_id, membership.user.display_name))
    for row in (
        open_here.filter(assignee__isnull=False)
        .values(
            "group__department_id",
            "assignee_id",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__username",
        )
        .annotate(count=Count("pk"))
        .order_by()
    ):
        key = (row["group__department_id"], row["assignee_id"])
        if key not in people:
            name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
            people[key] = PersonLoad(
                row["assignee_id"], name or row["assignee__username"], 0, False
            )
        people[key].open_assigned += row["count"]
    for (department_id, _user), load in people.items():
        views[department_id].people.append(load)
    for view in views.values():
        view.people.sort(key=lambda load: (-load.open_assigned, load.name))
