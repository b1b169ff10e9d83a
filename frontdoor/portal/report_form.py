"""The report form's state: what the resident typed, read from a POST and shown again.

The form is not a Django ``Form``: the workflow is the one validator (answers, location,
contact, photos), and its ``InvalidInput`` keys (``answers.<code>``, ``location``,
``email``…) are mapped back onto these fields. Nothing here decides whether input is
valid; it only carries it, so the resident never loses what they typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from frontdoor.accounts.models import ContactPreference, User
from frontdoor.cases.answers import service_questions
from frontdoor.catalogue.models import Question, Service

# Where each workflow error key is shown (answers.<code> go to their question).
ERROR_FIELDS = {
    "description": "description",
    "location": "location",
    "address": "location",
    "photos": "photos",
    "media_url": "photos",
    "name": "contact",
    "email": "contact",
    "phone": "contact",
    "contact_preference": "contact",
}
MANY_OPTIONS = 7  # a pick-one list this long is a select, not radio buttons
PREFERENCES = [
    ContactPreference.NONE,
    ContactPreference.EMAIL,
    ContactPreference.SMS,
    ContactPreference.PHONE,
]


@dataclass
class QuestionField:
    code: str
    name: str  # the form field's name
    label: str
    help_text: str
    datatype: str
    required: bool
    informational: bool
    options: list[tuple[str, str]]
    value: Any  # str, or list[str] for multi lists
    errors: list[str] = field(default_factory=list)

    @property
    def as_select(self) -> bool:
        return self.datatype == Question.Datatype.SINGLE and len(self.options) >= MANY_OPTIONS

    @property
    def widget(self) -> str:
        if self.informational:
            return "info"
        if self.datatype == Question.Datatype.SINGLE:
            return "select" if self.as_select else "radio"
        return {
            Question.Datatype.MULTI: "checkbox",
            Question.Datatype.TEXT: "textarea",
            Question.Datatype.NUMBER: "number",
            Question.Datatype.DATETIME: "datetime",
        }.get(self.datatype, "text")


@dataclass
class ReportInput:
    """Everything the resident sent, as sent (trimmed only)."""

    answers: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    lat: str = ""
    long: str = ""
    address: str = ""
    address_id: str = ""
    postal_code: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    preference: str = ""
    photo_tokens: list[str] = field(default_factory=list)
    nearby_seen: set[str] = field(default_factory=set)

    @property
    def has_point(self) -> bool:
        return bool(self.lat and self.long)


def _text(data: QueryDict, name: str, limit: int = 5000) -> str:
    return str(data.get(name, ""))[:limit].strip()


def read(data: QueryDict, service: Service) -> ReportInput:
    answers: dict[str, Any] = {}
    for question in service_questions(service):
        if not question.variable:
            continue
        name = f"q_{question.code}"
        if question.datatype == Question.Datatype.MULTI:
            answers[question.code] = [str(v)[:100] for v in data.getlist(name)][:50]
        else:
            answers[question.code] = _text(data, name)
    return ReportInput(
        answers=answers,
        description=_text(data, "description", 10_000),
        lat=_text(data, "lat", 40),
        long=_text(data, "long", 40),
        address=_text(data, "address", 400),
        address_id=_text(data, "address_id", 64),
        postal_code=_text(data, "postal_code", 16),
        name=_text(data, "name", 200),
        email=_text(data, "email", 300),
        phone=_text(data, "phone", 40),
        preference=_text(data, "contact_preference", 10),
        photo_tokens=[str(t)[:2000] for t in data.getlist("kept_photo")][:10],
        nearby_seen={n for n in _text(data, "nearby_seen", 400).split(",") if n},
    )


def initial(user: User | None) -> ReportInput:
    """A blank form; a signed-in resident's contact details filled in."""
    if user is None or not user.is_authenticated:
        return ReportInput()
    preference = user.contact_preference or ContactPreference.EMAIL
    return ReportInput(
        name=user.get_full_name(), email=user.email, phone=user.phone, preference=preference
    )


def question_fields(
    service: Service, report: ReportInput, errors: dict[str, list[str]]
) -> list[QuestionField]:
    fields = []
    for question in service_questions(service):
        options = [(v.key, v.name) for v in question.values.all()] if question.is_list else []
        default: Any = [] if question.datatype == Question.Datatype.MULTI else ""
        fields.append(
            QuestionField(
                code=question.code,
                name=f"q_{question.code}",
                label=question.description,
                help_text=question.help_text,
                datatype=question.datatype,
                required=question.required,
                informational=not question.variable,
                options=options,
                value=report.answers.get(question.code, default),
                errors=errors.get(f"answers.{question.code}", []),
            )
        )
    return fields


def field_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The workflow's errors grouped by the part of the form that shows them."""
    grouped: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key.startswith("answers."):
            target = key
        else:
            target = ERROR_FIELDS.get(key, "__all__")
        grouped.setdefault(target, []).extend(messages)
    return grouped
