"""Who a person is to the city, derived from data (no role table to keep in sync).

- administrator: ``User.is_superuser``;
- call-taker / agent: ``User.is_agent``;
- department staff: a ``Membership`` in one or more work groups;
- supervisor: listed in ``Department.supervisors`` (oversees every group of that department).

One person may hold several roles. ``scope_of`` reads them in at most two queries; staff pages
read them once per HTTP request through ``request_scope``. What a scope may *do* is decided in
``frontdoor.staff.policy`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from frontdoor.accounts.models import User
from frontdoor.catalogue.models import Membership


@dataclass(frozen=True)
class Scope:
    """A person's staff roles and the work groups they may act in."""

    user: User | None
    is_admin: bool = False
    is_agent: bool = False
    # Groups I am a member of, and the departments those groups belong to.
    group_ids: frozenset[int] = field(default_factory=frozenset)
    lead_group_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    # Departments I supervise, and every group of them.
    supervised_department_ids: frozenset[int] = field(default_factory=frozenset)
    supervised_group_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_department_staff(self) -> bool:
        return bool(self.group_ids)

    @property
    def is_supervisor(self) -> bool:
        return bool(self.supervised_department_ids)

    @property
    def is_staff_member(self) -> bool:
        """Any staff role at all: may open the staff pages and read any request."""
        return self.is_admin or self.is_agent or self.is_department_staff or self.is_supervisor

    @property
    def oversees(self) -> bool:
        """Sees the supervisor pages: supervisors and administrators."""
        return self.is_supervisor or self.is_admin

    @property
    def actionable_group_ids(self) -> frozenset[int]:
        """Groups whose requests I act on: my own, and every group of departments I
        supervise. (Administrators act everywhere; see ``policy``.)"""
        return self.group_ids | self.supervised_group_ids


NOBODY = Scope(user=None)


def scope_of(user: User | AnonymousUser | None) -> Scope:
    """The roles of ``user``: no query for an anonymous or inactive user, two otherwise
    (memberships with their groups' departments; groups of supervised departments)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    assert isinstance(user, User)
    group_ids: set[int] = set()
    lead_group_ids: set[int] = set()
    department_ids: set[int] = set()
    for group_id, department_id, role in Membership.objects.filter(user=user).values_list(
        "group_id", "group__department_id", "role"
    ):
        group_ids.add(group_id)
        department_ids.add(department_id)
        if role == Membership.Role.LEAD:
            lead_group_ids.add(group_id)
    supervised_department_ids: set[int] = set()
    supervised_group_ids: set[int] = set()
    # A left join from the supervised departments keeps a department without groups.
    for department_id, group_id in user.supervised_departments.values_list("pk", "groups__pk"):
        supervised_department_ids.add(department_id)
        if group_id is not None:
            supervised_group_ids.add(group_id)
    return Scope(
        user=user,
        is_admin=user.is_superuser,
        is_agent=user.is_agent,
        group_ids=frozenset(group_ids),
        lead_group_ids=frozenset(lead_group_ids),
        department_ids=frozenset(department_ids),
        supervised_department_ids=frozenset(supervised_department_ids),
        supervised_group_ids=frozenset(supervised_group_ids),
    )


_ATTRIBUTE = "_frontdoor_staff_scope"


def request_scope(request: HttpRequest) -> Scope:
    """The signed-in person's scope, read once per HTTP request (read again if the
    person changed within it, as at sign-in or sign-out)."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    cached = getattr(request, _ATTRIBUTE, None)
    if cached is not None and cached[0] == user_id:
        return cached[1]
    scope = scope_of(user)
    setattr(request, _ATTRIBUTE, (user_id, scope))
    return scope
