"""What can be done on the case page: one entry per action (its URL slug, the policy
action, the workflow transition that says in which statuses it is possible, its form and
its words), and which of them a person sees on a request.

An action is shown only when ``policy.allowed_actions`` allows it to this person AND the
workflow's transition table allows it in the request's status, so a button never leads
to a refusal that could have been known. A request posted anyway still goes through
``actions.perform``, which checks both again under the row lock.

Slot for branch ``staff-domain``: linking an external work-order reference is
``Action.LINK_WORK_ORDER``; add a ``CaseAction("work-order", Action.LINK_WORK_ORDER,
"link_work_order", WorkOrderForm, …)`` entry here once ``actions.WORKFLOW`` maps it to
``workflow.link_work_order`` (and the transition to ``workflow.TRANSITIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from frontdoor.accounts.models import ContactPreference
from frontdoor.cases.models import ServiceRequest
from frontdoor.cases.workflow import TRANSITIONS
from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import Membership, WorkGroup
from frontdoor.staff import forms as f
from frontdoor.staff import policy
from frontdoor.staff.policy import Action
from frontdoor.staff.roles import Scope


@dataclass(frozen=True)
class CaseAction:
    slug: str  # /staff/requests/<number>/<slug>/
    action: Action
    transition: str  # key of workflow.TRANSITIONS
    form: type[f.ActionForm]
    title: str | Promise
    button: str | Promise
    done: str | Promise  # said after it worked
    open: bool = False  # the form shows unfolded (the everyday ones)
    photos: bool = False  # it can change the photos panel
    needs_contact: bool = False  # the workflow refuses it when the requester cannot be reached
    canned: bool = False  # the canned-response picker (branch knowledge) replaces its text box
    text_label: str | Promise | None = None  # the label of a TextForm's text box


CASE_ACTIONS: tuple[CaseAction, ...] = (
    CaseAction(
        "take", Action.ASSIGN_TO_ME, "assign", f.NoButtonForm,
        _("Take it"), _("Assign to me"), _("The request is assigned to you."),
    ),
    CaseAction(
        "assign", Action.ASSIGN, "assign", f.AssignForm,
        _("Assign"), _("Assign"), _("The assignment is changed."),
    ),
    CaseAction(
        "note", Action.ADD_NOTE, "add_note", f.TextForm,
        _("Internal note (staff only)"), _("Add note"), _("Internal note added."), open=True,
        text_label=_("Note (never shown to the resident)"),
    ),
    CaseAction(
        "reply", Action.REPLY, "reply", f.TextForm,
        _("Public reply"), _("Send reply"),
        _("Reply added to the public timeline and sent to the requester and followers."),
        open=True, canned=True,
        text_label=_("Reply (public; e-mailed to the requester and followers)"),
    ),
    CaseAction(
        "request-info", Action.REQUEST_INFO, "request_info", f.TextForm,
        _("Ask the requester for more information"), _("Ask and wait"),
        _("Question sent; the request waits on the requester."), needs_contact=True,
        text_label=_("Your question (the request waits for the answer)"),
    ),
    CaseAction(
        "message", Action.MESSAGE_REQUESTER, "message_requester", f.TextForm,
        _("Private message to the requester"), _("Send message"),
        _("Message sent to the requester."), needs_contact=True,
        text_label=_("Message (only the requester sees it)"),
    ),
    CaseAction(
        "resume", Action.RESUME, "resume", f.NoButtonForm,
        _("Resume work"), _("Resume"), _("Work on the request resumed."),
    ),
    CaseAction(
        "hold", Action.HOLD, "hold", f.HoldForm,
        _("Put on hold"), _("Put on hold"), _("The request is on hold."),
    ),
    CaseAction(
        "forward", Action.FORWARD, "forward", f.ForwardForm,
        _("Forward to another group"), _("Forward"), _("The request is forwarded."),
    ),
    CaseAction(
        "priority", Action.SET_PRIORITY, "set_priority", f.PriorityForm,
        _("Priority"), _("Set priority"), _("Priority changed."),
    ),
    CaseAction(
        "photo", Action.ADD_ATTACHMENT, "add_attachment", f.PhotoForm,
        _("Add a photo"), _("Add photo"), _("Photo added."), photos=True,
    ),
    CaseAction(
        "close", Action.CLOSE, "close", f.CloseForm,
        _("Close"), _("Close the request"), _("The request is closed."), photos=True,
    ),
    CaseAction(
        "merge", Action.MARK_DUPLICATE, "mark_duplicate", f.MergeForm,
        _("Merge into a duplicate"), _("Merge"),
        _("Closed as a duplicate and merged into the original."),
    ),
    CaseAction(
        "reopen", Action.REOPEN, "reopen", f.ReopenForm,
        _("Reopen"), _("Reopen"), _("The request is open again."),
    ),
)  # fmt: skip
BY_SLUG = {entry.slug: entry for entry in CASE_ACTIONS}


def reachable(req: ServiceRequest) -> bool:
    """Can the city write to the requester? (The workflow's own test, read without a
    query: the requester's id is on the row.)"""
    return req.contact_preference != ContactPreference.NONE and bool(
        req.contact_email or req.contact_phone or req.requester_id
    )


def available(scope: Scope, req: ServiceRequest) -> list[CaseAction]:
    """The actions to offer ``scope`` on ``req``, in the page's order."""
    allowed = policy.allowed_actions(scope, req)
    can_reach = reachable(req)
    offered = []
    for entry in CASE_ACTIONS:
        if entry.action not in allowed or req.status not in TRANSITIONS[entry.transition]:
            continue
        if entry.needs_contact and not can_reach:
            continue
        if entry.action == Action.ASSIGN_TO_ME and req.assignee_id == scope.user.pk:
            continue
        if entry.action == Action.ASSIGN and req.group_id is None:
            continue
        offered.append(entry)
    return offered


def form_arguments(entry: CaseAction, req: ServiceRequest) -> dict[str, Any]:
    """What a form needs besides the request: the group's members, the groups."""
    if entry.form is f.AssignForm:
        members = (
            Membership.objects.filter(group_id=req.group_id, user__is_active=True)
            .select_related("user")
            .order_by("user__first_name", "user__last_name", "user__username")
        )
        return {"members": list(members)}
    if entry.form is f.ForwardForm:
        return {"groups": active_groups()}
    return {}


def make_form(entry: CaseAction, req: ServiceRequest, *args: Any, **kwargs: Any) -> f.ActionForm:
    # Ids unique on the page: several forms have a "text" field.
    kwargs.setdefault("auto_id", f"{entry.slug}-%s")
    form = entry.form(*args, case=req, action=entry.action, **form_arguments(entry, req), **kwargs)
    if entry.text_label and "text" in form.fields:
        form.fields["text"].label = entry.text_label
    return form


def active_groups() -> list[WorkGroup]:
    """Active work groups with their departments, by department then name (per-process
    catalogue cache, per language: the names are translated)."""

    def load() -> list[WorkGroup]:
        groups = list(WorkGroup.objects.filter(active=True).select_related("department"))
        return sorted(groups, key=lambda g: (g.department.name.casefold(), g.name.casefold()))

    return cached(("staff-active-groups", get_language()), load)
