"""The intake form: what the agent typed, read into ``workflow.submit``'s arguments, and
shown again with the workflow's messages next to each field.

Validation is the workflow's (``InvalidInput`` with a message per field, in the agent's
language); this module only reads the posted fields, renders the service's questions and
maps the workflow's field names to the form's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import QueryDict

from frontdoor.accounts.models import ContactPreference, User
from frontdoor.cases.answers import clean_string, service_questions
from frontdoor.cases.workflow import Contact
from frontdoor.catalogue.models import Priority, Question, QuestionValue, Service
from frontdoor.staff.intake import channels
from frontdoor.staff.intake.callers import Caller, Query

TEXT_FIELDS = (
    "account",
    "name",
    "email",
    "phone",
    "contact_preference",
    "language",
    "channel",
    "priority",
    "description",
    "address",
    "lat",
    "long",
)
# The workflow's error keys that are not a field of this form are shown above it.
FIELD_ERRORS = frozenset(TEXT_FIELDS) | {"location", "topic", "note"}


@dataclass
class QuestionField:
    question: Question
    widget: str
    value: str = ""
    chosen: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # The first question that asks for input carries the Alt+Q access key.
    first: bool = False

    @property
    def name(self) -> str:
        return f"answers.{self.question.code}"

    @property
    def html_id(self) -> str:
        return f"id_answer_{self.question.code}"

    @property
    def options(self) -> list[QuestionValue]:
        return list(self.question.values.all())


WIDGETS = {
    Question.Datatype.STRING: "text",
    Question.Datatype.TEXT: "textarea",
    Question.Datatype.NUMBER: "number",
    Question.Datatype.DATETIME: "datetime",
    Question.Datatype.SINGLE: "select",
    Question.Datatype.MULTI: "checkboxes",
}


def initial_values(service: Service, caller: Caller | None, query: Query | None) -> dict[str, str]:
    """A fresh form: the chosen caller's details (or what was looked up), the service's
    default priority, and the telephone channel."""
    values = dict.fromkeys(TEXT_FIELDS, "")
    values["channel"] = channels.INTAKE_CHANNELS[0].value
    values["priority"] = service.priority
    if caller is not None:
        values.update(
            account=str(caller.account.pk) if caller.account else "",
            name=caller.name,
            email=caller.email,
            phone=caller.phone,
            contact_preference=caller.preference,
            language=caller.language,
        )
    elif query is not None:
        values["phone" if query.kind == "phone" else "email"] = query.text
    return values


def _printable(value: str) -> str:
    return clean_string(value, len(value), multiline=True)


class IntakeForm:
    """The request form for one service: values as typed, answers, and errors by field."""

    def __init__(
        self,
        service: Service,
        *,
        data: QueryDict | None = None,
        initial: Mapping[str, str] | None = None,
    ) -> None:
        self.service = service
        self.questions = [q for q in service_questions(service)]
        self.errors: dict[str, list[str]] = {}
        if data is None:
            self.values = dict(initial or {})
            self.answers: dict[str, Any] = {}
        else:
            # Control characters are never meant (and PostgreSQL refuses NUL in text).
            self.values = {name: _printable(data.get(name, "")) for name in TEXT_FIELDS}
            self.answers = {}
            for question in self.questions:
                if not question.variable:
                    continue
                name = f"answers.{question.code}"
                if question.datatype == Question.Datatype.MULTI:
                    chosen = [value for value in data.getlist(name) if value]
                    if chosen:
                        self.answers[question.code] = chosen
                elif data.get(name, "").strip():
                    self.answers[question.code] = data.get(name, "")

    # What the workflow gets ------------------------------------------------------------

    def contact(self, account: User | None) -> Contact:
        return Contact(
            user=account,
            name=self.values["name"],
            email=self.values["email"],
            phone=self.values["phone"],
            preference=self.values["contact_preference"] or None,
            language=self.values["language"] or None,
        )

    def submit_arguments(self, account: User | None) -> dict[str, Any]:
        """Keyword arguments for ``workflow.submit`` (with ``service``, ``actor`` and
        ``channel`` added by the caller). A channel that is not an intake channel is
        passed as "", which the workflow refuses like any unknown channel."""
        channel = self.values["channel"]
        return {
            "channel": channel if channel in channels.INTAKE_CHANNELS else "",
            "description": self.values["description"],
            "answers": self.answers,
            "lat": self.values["lat"],
            "long": self.values["long"],
            "address": self.values["address"],
            "priority": self.values["priority"] or None,
            "contact": self.contact(account),
        }

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        for key, messages in errors.items():
            self.errors.setdefault(key, []).extend(messages)
        if "channel" in self.errors:
            self.errors["channel"] = [channels.channel_error()]

    # What the template shows -----------------------------------------------------------

    @property
    def question_fields(self) -> list[QuestionField]:
        fields = []
        first = next((q for q in self.questions if q.variable), None)
        for question in self.questions:
            answer = self.answers.get(question.code)
            fields.append(
                QuestionField(
                    question=question,
                    widget=WIDGETS.get(question.datatype, "text")
                    if question.variable
                    else "notice",
                    value=answer if isinstance(answer, str) else "",
                    chosen=answer if isinstance(answer, list) else [],
                    errors=self.errors.get(f"answers.{question.code}", []),
                    first=question is first,
                )
            )
        return fields

    @property
    def general_errors(self) -> list[str]:
        """Messages for no field of this form (the whole request, or an unknown field)."""
        return [
            message
            for key, messages in self.errors.items()
            if key not in FIELD_ERRORS and not key.startswith("answers.")
            for message in messages
        ]

    @property
    def field_errors(self) -> list[tuple[str, str]]:
        """(field id, message) for every field's problem, in page order."""
        keys = [
            ("name", "name"),
            ("phone", "phone"),
            ("email", "email"),
            ("contact_preference", "contact_preference"),
            ("language", "language"),
            *((f"answers.{q.code}", f"answer_{q.code}") for q in self.questions),
            ("description", "description"),
            ("location", "address"),
            ("address", "address"),
            ("lat", "lat"),
            ("long", "long"),
            ("channel", "channel"),
            ("priority", "priority"),
        ]
        return [
            (f"id_{field_id}", message)
            for key, field_id in keys
            for message in self.errors.get(key, [])
        ]

    @property
    def first_invalid_id(self) -> str:
        """The id of the field the cursor should go to after a refused submission."""
        errors = self.field_errors
        return errors[0][0] if errors else ""

    @staticmethod
    def preference_choices() -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in ContactPreference.choices]

    @staticmethod
    def language_choices() -> list[tuple[str, str]]:
        return [(code, str(name)) for code, name in settings.LANGUAGES]

    @staticmethod
    def priority_choices() -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Priority.choices]

    @staticmethod
    def channel_choices() -> list[tuple[str, str]]:
        return channels.choices()
