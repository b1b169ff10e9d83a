"""The case page's action forms. Each checks what a person typed, then does its action
through ``frontdoor.staff.actions.perform`` (the policy check and the workflow call).

Every form carries the request's ``version`` as the person saw it: the workflow refuses
the change (``StaleRequest``) when someone else changed the request meanwhile.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from frontdoor.cases import tracking
from frontdoor.cases.errors import InvalidInput
from frontdoor.cases.images import CleanPhoto, PhotoRejected, clean_photo
from frontdoor.cases.models import HoldReason, Resolution, ServiceRequest, Visibility
from frontdoor.catalogue.models import Membership, Priority, WorkGroup
from frontdoor.staff import actions
from frontdoor.staff.policy import Action
from frontdoor.staff.roles import Scope

MAX_TEXT = 4000
# Workflow error keys that name a form field differently.
_FIELD_FOR_KEY = {"photos": "photo"}


class ActionForm(forms.Form):
    """Base: the hidden version, and ``perform`` calling the staff action."""

    action: Action
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("This form is incomplete. Reload the page and try again."),
            "invalid": _("This form is incomplete. Reload the page and try again."),
            "min_value": _("This form is incomplete. Reload the page and try again."),
        },
    )

    def __init__(self, *args: Any, case: ServiceRequest, action: Action, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", case.version)
        super().__init__(*args, **kwargs)
        self.case = case
        self.action = action

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for the workflow function, from ``cleaned_data``."""
        return {}

    def perform(self, scope: Scope) -> ServiceRequest:
        """Do the action (call only when valid). Raises what ``actions.perform`` raises."""
        return actions.perform(
            scope,
            self.action,
            self.case,
            expected_version=self.cleaned_data["version"],
            **self.arguments(),
        )

    def add_domain_errors(self, error: InvalidInput) -> None:
        """Put the workflow's messages next to the fields they are about."""
        for key, messages in error.errors.items():
            name = _FIELD_FOR_KEY.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class TextForm(ActionForm):
    """Reply, internal note, message to the requester, request for information."""

    text = forms.CharField(
        label=_("Text"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something first.")},
    )

    def arguments(self) -> dict[str, Any]:
        return {"text": self.cleaned_data["text"]}


class NoButtonForm(ActionForm):
    """Take, resume: a button and the version."""


class AssignForm(ActionForm):
    UNASSIGN = "none"
    assignee = forms.ChoiceField(
        label=_("Assign to"),
        error_messages={"required": _("Choose a member of the group.")},
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in members}
        choices: list[tuple[str, str]] = [("", _("Choose a member…"))]
        choices += [(pk, user.display_name) for pk, user in self.members.items()]
        if self.case.assignee_id is not None:
            choices.append((self.UNASSIGN, str(_("Nobody (unassign)"))))
        self.fields["assignee"].choices = choices
        if self.case.group is None:
            self.fields["assignee"].help_text = _("The request has no group yet.")

    def arguments(self) -> dict[str, Any]:
        chosen = self.cleaned_data["assignee"]
        return {"assignee": None if chosen == self.UNASSIGN else self.members[chosen]}


class ForwardForm(ActionForm):
    group = forms.TypedChoiceField(
        label=_("Forward to"),
        coerce=int,
        error_messages={
            "required": _("Choose the group to forward it to."),
            "invalid_choice": _("Choose one of the groups in the list."),
        },
    )
    reason = forms.CharField(
        label=_("Why (staff only)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why it goes to that group.")},
    )

    def __init__(self, *args: Any, groups: list[WorkGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = {g.pk: g for g in groups if g.pk != self.case.group_id}
        by_department: dict[str, list[tuple[int, str]]] = {}
        for g in self.groups.values():
            by_department.setdefault(g.department.name, []).append((g.pk, g.name))
        self.fields["group"].choices = [("", _("Choose a group…")), *by_department.items()]

    def arguments(self) -> dict[str, Any]:
        return {
            "group": self.groups[self.cleaned_data["group"]],
            "reason": self.cleaned_data["reason"],
        }


class HoldForm(ActionForm):
    reason = forms.ChoiceField(
        label=_("Why is it on hold?"),
        choices=[("", _("Choose a reason…")), *HoldReason.choices],
        error_messages={"required": _("Choose why the request is on hold.")},
    )
    public_note = forms.CharField(
        label=_("Note for the public (optional)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def arguments(self) -> dict[str, Any]:
        return {
            "reason": self.cleaned_data["reason"],
            "public_note": self.cleaned_data["public_note"],
        }


class ReopenForm(ActionForm):
    reason = forms.CharField(
        label=_("Why reopen it? (shown to the public)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the request is reopened.")},
    )

    def arguments(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class PriorityForm(ActionForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].initial = self.case.priority

    def arguments(self) -> dict[str, Any]:
        return {"priority": self.cleaned_data["priority"]}


class MergeForm(ActionForm):
    original = forms.CharField(
        label=_("Tracking number of the original request"),
        max_length=40,
        error_messages={"required": _("Enter the original request's tracking number.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_original(self) -> int:
        typed = self.cleaned_data["original"]
        number = tracking.normalise(typed)
        if number is None:
            raise forms.ValidationError(
                _("“%(typed)s” is not a tracking number: it has ten digits, like 4821-7730-15."),
                params={"typed": typed[:40]},
            )
        pk = (
            ServiceRequest.objects.filter(tracking_number=number)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise forms.ValidationError(
                _("No request has the number %(number)s."),
                params={"number": tracking.display(number)},
            )
        return pk

    def arguments(self) -> dict[str, Any]:
        return {"original": self.cleaned_data["original"]}


class PhotoField(forms.FileField):
    """A photo, checked and re-encoded without metadata as soon as the form is
    validated (``CleanPhoto``), so a bad one is refused before anything is written."""

    widget = forms.FileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data: Any, initial: Any = None) -> CleanPhoto | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return clean_photo(upload, size=getattr(upload, "size", None))
        except PhotoRejected as exc:
            raise forms.ValidationError(str(exc)) from None


class PhotoForm(ActionForm):
    photo = PhotoField(
        label=_("Photo"), error_messages={"required": _("Choose or take a photo first.")}
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=[(Visibility.PUBLIC, _("Everyone")), (Visibility.INTERNAL, _("Staff only"))],
        initial=Visibility.PUBLIC,
    )

    def arguments(self) -> dict[str, Any]:
        return {
            "photo": self.cleaned_data["photo"],
            "visibility": self.cleaned_data["visibility"],
        }


class CloseForm(ActionForm):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[
            ("", _("Choose a resolution…")),
            *((value, label) for value, label in Resolution.choices if value != "duplicate"),
        ],
        error_messages={"required": _("Choose a resolution.")},
    )
    public_note = forms.CharField(
        label=_("Closing note for the public (optional)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = PhotoField(
        label=_("Photo of the result (optional, shown to the public)"), required=False
    )

    def arguments(self) -> dict[str, Any]:
        return {
            "resolution": self.cleaned_data["resolution"],
            "public_note": self.cleaned_data["public_note"],
        }

    def perform(self, scope: Scope) -> ServiceRequest:
        """Close, with the photo taken on the spot stored first through the workflow's
        attachment action, in one transaction: both happen or neither does."""
        photo = self.cleaned_data.get("photo")
        if photo is None:
            return super().perform(scope)
        version = self.cleaned_data["version"]
        with transaction.atomic():
            actions.perform(
                scope,
                Action.ADD_ATTACHMENT,
                self.case,
                expected_version=version,
                photo=photo,
                visibility=Visibility.PUBLIC,
            )
            return actions.perform(
                scope, Action.CLOSE, self.case, expected_version=version + 1, **self.arguments()
            )
