"""Staff actions: check the policy, then call the workflow. Staff pages call ``perform``.

The policy check and the workflow's change happen in one transaction with the request's
row locked, so a request forwarded away by someone else between the check and the change
cannot be changed by a person who may no longer act on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from frontdoor.cases import workflow
from frontdoor.cases.errors import DomainError
from frontdoor.cases.models import ServiceRequest
from frontdoor.staff import policy
from frontdoor.staff.policy import Action
from frontdoor.staff.roles import Scope

Call = Callable[..., ServiceRequest]


def _assign_to_me(request: ServiceRequest, *, actor: workflow.Actor, **kwargs: Any):  # type: ignore[no-untyped-def]
    return workflow.assign(request, actor.user, actor=actor, **kwargs)


# action -> workflow function, called as f(request, **kwargs, actor=..., expected_version=...).
WORKFLOW: dict[Action, Call] = {
    Action.ASSIGN: workflow.assign,
    Action.ASSIGN_TO_ME: _assign_to_me,
    Action.FORWARD: workflow.forward,
    Action.HOLD: workflow.hold,
    Action.RESUME: workflow.resume,
    Action.REQUEST_INFO: workflow.request_info,
    Action.REPLY: workflow.reply,
    Action.ADD_NOTE: workflow.add_note,
    Action.MESSAGE_REQUESTER: workflow.message_requester,
    Action.CLOSE: workflow.close,
    Action.REOPEN: workflow.reopen,
    Action.MARK_DUPLICATE: workflow.mark_duplicate,
    Action.SET_PRIORITY: workflow.set_priority,
    Action.ADD_ATTACHMENT: workflow.add_attachment,
}


def perform(
    scope: Scope,
    action: str,
    service_request: ServiceRequest | int | None,
    *,
    expected_version: int | None = None,
    **kwargs: Any,
) -> ServiceRequest:
    """Do ``action`` as the person ``scope`` describes, or raise.

    Raises ``policy.Forbidden`` when the person may not (nothing written), and whatever
    the workflow raises (``TransitionNotAllowed`` for a closed request, ``StaleRequest``
    when ``expected_version`` is not the request's version, ``InvalidInput``). ``create``
    takes no request and passes ``kwargs`` to ``workflow.submit``. Returns the request
    as changed (or filed)."""
    action = Action(action)
    if action == Action.CREATE:
        policy.require(scope, action)
        return workflow.submit(actor=workflow.Actor.staff(scope.user), **kwargs)  # type: ignore[arg-type]
    call = WORKFLOW.get(action)
    if call is None:
        raise ValueError(f"{action} is not something perform() does")
    pk = service_request.pk if isinstance(service_request, ServiceRequest) else service_request
    with transaction.atomic():
        locked = _lock(pk, kwargs.get("original") if action == Action.MARK_DUPLICATE else None)
        policy.require(scope, action, locked)
        actor = workflow.Actor.staff(scope.user)  # type: ignore[arg-type]
        result = call(pk, **kwargs, actor=actor, expected_version=expected_version)
    if isinstance(service_request, ServiceRequest):
        service_request.refresh_from_db()
    return result


def _lock(pk: Any, original: ServiceRequest | int | None) -> ServiceRequest:
    """Lock the request (and a merge's original, in id order like the workflow does, so
    two opposite merges cannot deadlock) and return the request with its group."""
    pks = {pk}
    if original is not None:
        pks.add(original.pk if isinstance(original, ServiceRequest) else original)
    try:
        rows = {
            row.pk: row
            for row in ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("group")
            .filter(pk__in=pks)
            .order_by("pk")
        }
    except (TypeError, ValueError):
        rows = {}
    if pk not in rows:
        raise DomainError(_("That request does not exist."), code="not_found")
    return rows[pk]
