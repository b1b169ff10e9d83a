"""The case page's read side: everything staff see about one request, read in a fixed
number of queries whatever the number of events, photos or followers.

Staff pages only (personal data and internal notes are here); the public sees
``frontdoor.cases.public`` instead.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from frontdoor.cases import tracking
from frontdoor.cases.answers import service_questions
from frontdoor.cases.models import Attachment, Follower, ServiceRequest
from frontdoor.catalogue.models import City, Question
from frontdoor.staff import policy
from frontdoor.staff.roles import Scope
from frontdoor.staff.timeline import TimelineEntry, timeline

# Followers listed by name; beyond this the page says how many more there are.
FOLLOWERS_SHOWN = 50


class CaseNotFound(Exception):
    """No request has this number (or it is not a tracking number at all)."""


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str


@dataclass(frozen=True)
class SlaState:
    """Where the request stands against its service-level target (None: no target or
    closed). ``moment`` is the clock's time: now, or when the clock was paused."""

    state: str | None  # "overdue", "at_risk", "on_track" or None
    paused_since: datetime | None


@dataclass
class CaseFile:
    request: ServiceRequest
    answers: list[AnswerRow]
    photos: list[Attachment]
    followers: list[Follower]
    followers_more: int
    zones: list[str]
    timeline: list[TimelineEntry]
    sla: SlaState

    @property
    def number(self) -> str:
        return self.request.display_number

    @property
    def language_name(self) -> str:
        """The requester's language by name (a code outside ``LANGUAGES`` as it is)."""
        code = self.request.language
        return str(dict(settings.LANGUAGES).get(code, code))


def city_zone() -> zoneinfo.ZoneInfo:
    """The city's time zone: staff pages show times in it, whatever the server's."""
    try:
        return zoneinfo.ZoneInfo(City.current().time_zone)
    except (City.DoesNotExist, zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def find_request(scope: Scope, typed: str) -> ServiceRequest:
    """The request with this tracking number (typed with dashes, spaces or '#' too) that
    ``scope`` may see, with what the case page shows of its relations. One query (and
    one more for the original's number when it is a duplicate)."""
    number = tracking.normalise(typed)
    if number is None:
        raise CaseNotFound(typed)
    queryset: QuerySet[ServiceRequest] = policy.visible(scope, ServiceRequest.objects.all())
    try:
        return queryset.select_related(
            "service",
            "group",
            "group__department",
            "assignee",
            "requester",
        ).get(tracking_number=number)
    except ServiceRequest.DoesNotExist:
        raise CaseNotFound(typed) from None


def load(service_request: ServiceRequest) -> CaseFile:
    """Everything the case page shows of ``service_request`` beyond its own row: four
    queries (events, attachments, followers, zones), five when more followers exist than
    are listed. Questions and group names come from the per-process catalogue cache."""
    req = service_request
    events = list(req.events.order_by("-created_at", "-pk"))
    photos = list(
        Attachment.objects.filter(request=req).select_related("uploaded_by").order_by("created_at")
    )
    followers = list(
        Follower.objects.filter(request=req)
        .select_related("user")
        .order_by("-supporter", "created_at", "pk")[: FOLLOWERS_SHOWN + 1]
    )
    more = 0
    if len(followers) > FOLLOWERS_SHOWN:
        more = Follower.objects.filter(request=req).count() - FOLLOWERS_SHOWN
        followers = followers[:FOLLOWERS_SHOWN]
    zones = [str(zone) for zone in req.zones.all()]
    return CaseFile(
        request=req,
        answers=answers_of(req),
        photos=photos,
        followers=followers,
        followers_more=more,
        zones=zones,
        timeline=timeline(events),
        sla=sla_state(req, timezone.now()),
    )


def sla_state(req: ServiceRequest, now: datetime) -> SlaState:
    if not req.is_open or req.due_at is None:
        return SlaState(None, req.sla_paused_at if req.is_open else None)
    # A paused clock stands still: judge the request at the moment it stopped.
    moment = req.sla_paused_at or now
    if req.due_at <= moment:
        state = "overdue"
    elif req.sla_at_risk_at is not None and req.sla_at_risk_at <= moment:
        state = "at_risk"
    else:
        state = "on_track"
    return SlaState(state, req.sla_paused_at)


def answers_of(req: ServiceRequest) -> list[AnswerRow]:
    """The answers with their questions' labels and list values' names in the active
    language, in the questions' order; answers to questions since removed keep their code."""
    questions = service_questions(req.service)
    answers = req.answers if isinstance(req.answers, dict) else {}
    rows = []
    seen = set()
    for question in questions:
        if question.code not in answers:
            continue
        seen.add(question.code)
        rows.append(AnswerRow(question.description, _answer_text(question, answers[question.code])))
    for code, value in answers.items():
        if code not in seen:
            rows.append(AnswerRow(str(code), _plain(value)))
    return rows


def _answer_text(question: Question, value: Any) -> str:
    if question.is_list:
        names = {v.key: v.name for v in question.values.all()}
        keys = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(key), str(key)) for key in keys)
    if question.datatype == Question.Datatype.DATETIME:
        try:
            moment = parse_datetime(str(value))
        except ValueError:  # well formed but impossible, e.g. 2026-02-30
            moment = None
        if moment is not None:
            if timezone.is_naive(moment):  # stored answers are UTC
                moment = moment.replace(tzinfo=UTC)
            return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)
