"""Bulk actions for surges: assign, forward or close as a duplicate many requests at once.

Each selected row goes through ``actions.perform`` on its own (policy check, workflow,
one transaction and one row lock per request) with the version the person saw, so a row
they may not act on, or one changed since the list was loaded, is refused and left as it
was while the others go through. The result says how many were done and why each refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frontdoor.accounts.models import User
from frontdoor.cases import tracking
from frontdoor.cases.errors import DomainError
from frontdoor.cases.models import ServiceRequest
from frontdoor.cases.workflow.base import MAX_NOTE
from frontdoor.catalogue.models import WorkGroup
from frontdoor.staff import actions
from frontdoor.staff.policy import Action
from frontdoor.staff.queues.filters import Options
from frontdoor.staff.roles import Scope

MAX_ROWS = 200
_ROW = re.compile(r"(\d{1,18}):(\d{1,9})")


class BulkAction:
    ASSIGN = "assign"
    FORWARD = "forward"
    DUPLICATE = "duplicate"

    choices = (
        (ASSIGN, _("Assign to")),
        (FORWARD, _("Forward to a group")),
        (DUPLICATE, _("Close as duplicate of")),
    )


class BulkForm(forms.Form):
    """The selected rows ("id:version" each) and what to do with them."""

    action = forms.ChoiceField(label=_("With the selected requests"), choices=BulkAction.choices)
    rows = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    assignee = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int)
    reason = forms.CharField(
        label=_("Reason for forwarding"), required=False, max_length=MAX_NOTE, strip=True
    )
    original = forms.CharField(
        label=_("Tracking number of the original request"), required=False, max_length=40
    )

    def __init__(self, data: Any, *, choices: Options, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["assignee"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (pk, name) for pk, (name, _groups) in choices.members.items()
        ]
        self.fields["group"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (pk, name) for pk, name, _department in choices.groups
        ]

    def clean_rows(self) -> list[tuple[int, int]]:
        rows = []
        for value in self.cleaned_data.get("rows") or []:
            match = _ROW.fullmatch(value)
            if match is None:
                raise forms.ValidationError(_("The selection was not understood; reload the list."))
            rows.append((int(match[1]), int(match[2])))
        if not rows:
            raise forms.ValidationError(_("Select at least one request."))
        if len(rows) > MAX_ROWS:
            raise forms.ValidationError(
                _("Select at most %(count)s requests at a time.") % {"count": MAX_ROWS}
            )
        return list(dict.fromkeys(rows))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if action == BulkAction.ASSIGN:
            data["assignee_user"] = User.objects.filter(pk=data.get("assignee") or 0).first()
            if data["assignee_user"] is None:
                self.add_error("assignee", _("Choose the person to assign them to."))
        if action == BulkAction.FORWARD:
            data["group_object"] = WorkGroup.objects.filter(pk=data.get("group") or 0).first()
            if data["group_object"] is None:
                self.add_error("group", _("Choose the group to forward them to."))
            if not data.get("reason"):
                self.add_error("reason", _("Say why they are forwarded; the group will read it."))
        if action == BulkAction.DUPLICATE:
            number = tracking.normalise(data.get("original") or "")
            original = (
                ServiceRequest.objects.filter(tracking_number=number).only("pk").first()
                if number
                else None
            )
            if original is None:
                self.add_error(
                    "original",
                    _("No request has the tracking number “%(number)s”.")
                    % {"number": data.get("original") or ""},
                )
            data["original_request"] = original
        return data

    @property
    def problems(self) -> list[str]:
        return [" ".join(messages) for messages in self.errors.values()]


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    # (display number, reason)
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = ngettext("%(count)s done", "%(count)s done", len(self.done)) % {
            "count": len(self.done)
        }
        if not self.refused:
            return text + "."
        text += ", " + ngettext("%(count)s refused", "%(count)s refused", len(self.refused)) % {
            "count": len(self.refused)
        }
        reasons = (
            f"{number}: {reason}" + ("" if reason.endswith((".", "!", "?")) else ".")
            for number, reason in self.refused
        )
        return f"{text}: {' '.join(reasons)}"


def run(scope: Scope, form: BulkForm) -> Outcome:
    """Do the form's action on each selected row. The form must be valid."""
    data = form.cleaned_data
    rows: list[tuple[int, int]] = data["rows"]
    numbers = dict(
        ServiceRequest.objects.filter(pk__in=[pk for pk, _version in rows]).values_list(
            "pk", "tracking_number"
        )
    )
    action, arguments = _action(data)
    outcome = Outcome()
    for pk, version in rows:
        number = tracking.display(numbers[pk]) if pk in numbers else f"#{pk}"
        if pk not in numbers:
            outcome.refused.append((number, str(_("That request does not exist."))))
            continue
        try:
            actions.perform(scope, action, pk, expected_version=version, **arguments)
        except DomainError as exc:
            outcome.refused.append((number, str(exc.message)))
        else:
            outcome.done.append(number)
    return outcome


def _action(data: dict[str, Any]) -> tuple[Action, dict[str, Any]]:
    if data["action"] == BulkAction.ASSIGN:
        return Action.ASSIGN, {"assignee": data["assignee_user"]}
    if data["action"] == BulkAction.FORWARD:
        return Action.FORWARD, {"group": data["group_object"], "reason": data["reason"]}
    return Action.MARK_DUPLICATE, {"original": data["original_request"].pk}
