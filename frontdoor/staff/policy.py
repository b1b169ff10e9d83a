"""What staff may do: THE one place that decides it.

Rules (roles come from ``frontdoor.staff.roles``):

- administrators may do everything;
- any staff role may find and read any request (city employees) and file new ones;
- department staff act on requests routed to their groups; supervisors on requests routed to
  any group of the departments they supervise, including moving them between those groups;
- call-takers / agents, on any request, add internal notes, reply publicly and message the
  requester, and nothing else unless they are also members of the request's group;
- taking a request ("assign to me") needs membership of its group, whatever the role, since
  the workflow only assigns requests to members of their group;
- residents and anonymous visitors may do none of this.

``can`` answers without touching the database (pages use it to show or hide buttons);
``require`` raises ``Forbidden`` with a message that says why and what to do instead.
Whether the request's *status* allows the move is the workflow's business, not this module's.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from frontdoor.cases.errors import DomainError
from frontdoor.cases.models import ServiceRequest
from frontdoor.staff.roles import Scope


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    ASSIGN = "assign"
    ASSIGN_TO_ME = "assign_to_me"
    FORWARD = "forward"
    HOLD = "hold"
    RESUME = "resume"
    REQUEST_INFO = "request_info"
    REPLY = "reply"
    ADD_NOTE = "add_note"
    MESSAGE_REQUESTER = "message_requester"
    CLOSE = "close"
    REOPEN = "reopen"
    MARK_DUPLICATE = "mark_duplicate"
    SET_PRIORITY = "set_priority"
    LINK_WORK_ORDER = "link_work_order"
    ADD_ATTACHMENT = "add_attachment"


# Allowed to every staff role on every request (or without one).
ANY_STAFF = frozenset({Action.VIEW, Action.CREATE})
# What a call-taker may do on any request, beyond reading it.
AGENT_ACTIONS = frozenset({Action.ADD_NOTE, Action.REPLY, Action.MESSAGE_REQUESTER})
# Actions that act on an existing request (everything except filing a new one).
ON_REQUEST = frozenset(Action) - {Action.CREATE}


class Forbidden(DomainError):
    """This person may not do this to this request. Nothing was written."""

    code = "forbidden"


def can(scope: Scope, action: str, request: ServiceRequest | None = None) -> bool:
    """May ``scope`` do ``action`` (to ``request``)? No database queries."""
    return _allowed(scope, Action(action), request)


def _allowed(scope: Scope, action: Action, request: ServiceRequest | None) -> bool:
    if not scope.is_staff_member:
        return False
    if action in ANY_STAFF:
        return True
    if request is None:
        raise ValueError(f"the action {action} needs a request")
    group_id = request.group_id
    if action == Action.ASSIGN_TO_ME:
        return group_id is not None and group_id in scope.group_ids
    if scope.is_admin:
        return True
    if group_id is not None and group_id in scope.actionable_group_ids:
        return True
    return scope.is_agent and action in AGENT_ACTIONS


def require(scope: Scope, action: str, request: ServiceRequest | None = None) -> None:
    """Raise ``Forbidden`` (with a translated message saying why) unless ``can``."""
    action = Action(action)
    if not _allowed(scope, action, request):
        raise Forbidden(_refusal(scope, action, request))


def _refusal(scope: Scope, action: Action, request: ServiceRequest | None) -> Promise | str:
    if not scope.is_authenticated:
        return _("Sign in with a city staff account to do this.")
    if not scope.is_staff_member:
        return _(
            "Only city staff can do this, and your account has no staff role. "
            "Ask an administrator if it should have one."
        )
    assert request is not None  # ANY_STAFF actions are always allowed to staff
    group = request.group
    if group is None:
        return _("This request is not routed to any group yet; an administrator must route it.")
    if action == Action.ASSIGN_TO_ME:
        return _(
            "Only members of %(group)s can take its requests; assign it to one of them instead."
        ) % {"group": group.name}
    if not (scope.is_department_staff or scope.is_supervisor):
        return _(
            "As a call-taker you can read this request, add internal notes and write to the "
            "requester; everything else is up to %(group)s."
        ) % {"group": group.name}
    if group.department_id in scope.department_ids | scope.supervised_department_ids:
        return _(
            "This request belongs to %(group)s, another group of your department; ask your "
            "supervisor to forward it to your group."
        ) % {"group": group.name}
    return _(
        "This request belongs to another department's group (%(group)s); ask its supervisor "
        "to forward it."
    ) % {"group": group.name}


def allowed_actions(scope: Scope, request: ServiceRequest) -> frozenset[Action]:
    """Every action ``scope`` may take on ``request`` (for showing the right buttons)."""
    return frozenset(action for action in ON_REQUEST if _allowed(scope, action, request))


def visible(scope: Scope, queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """The requests this person may open in the staff pages: all of them for any staff
    role (city employees read everything; acting is what is scoped), none otherwise."""
    return queryset if scope.is_staff_member else queryset.none()


def actionable(scope: Scope, queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """The requests this person may work on (their groups', their departments' for a
    supervisor, all for an administrator). Agents' notes and replies on any request are
    not "work" here: use ``visible`` for search."""
    if not scope.is_staff_member:
        return queryset.none()
    if scope.is_admin:
        return queryset
    return queryset.filter(group_id__in=scope.actionable_group_ids)
