"""The demo city: enough catalogue, people and history to try every feature."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.cases import workflow
from frontdoor.cases.models import Event, HoldReason, ServiceRequest, Status
from frontdoor.catalogue.models import City, Department, Question, Service, WorkGroup, Zone
from frontdoor.demo.history import HistoryGenerator
from frontdoor.demo.loader import LOGINS, read_json

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Loaded once for this module (it takes seconds), then flushed away."""
    with django_db_blocker.unblock():
        call_command("demo_city", requests=1500, seed=5, verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(demo_city, db):  # type: ignore[no-untyped-def]
    return City.current()


def test_demo_city_has_a_real_catalogue_and_organisation(demo):
    assert demo.name == "Port Alder" and demo.geometry is not None
    assert Department.objects.count() >= 8
    assert Service.objects.filter(active=True).count() >= 40
    assert set(Question.objects.values_list("datatype", flat=True)) == set(Question.Datatype)
    assert Question.objects.filter(variable=False).exists()
    assert Service.objects.filter(private=True).exists()
    assert Service.objects.filter(audience=Service.Audience.STAFF).exists()
    assert {"ward", "district", "crew_area"} <= set(Zone.objects.values_list("kind", flat=True))
    spanish = Service.objects.get(code="POTHOLE")
    assert spanish.name_es and spanish.name_es != spanish.name_en
    for question in Question.objects.filter(datatype__in=Question.LIST_TYPES):
        assert question.values.exists(), f"{question} has no values"
    assert demo.triage_group is not None and demo.general_service is not None


def test_every_demo_login_works_and_every_role_exists(demo):
    for username, password, _role, _what in LOGINS:
        assert authenticate(username=username, password=password) is not None, username
    assert User.objects.get(username="admin").is_superuser
    assert Department.objects.filter(supervisors__username="supervisor").exists()
    assert WorkGroup.objects.filter(memberships__user__username="agent").exists()
    for group in WorkGroup.objects.all():
        assert group.memberships.count() >= 1, group


@pytest.mark.parametrize(
    ("username", "lands_on", "role"),
    [
        ("agent", "/staff/", "is_agent"),
        ("staff", "/staff/", "is_department_staff"),
        ("supervisor", "/staff/", "is_supervisor"),
        ("admin", "/staff/two-factor-required/?next=%2Fstaff%2F", "is_admin"),
        ("resident", "/", None),
    ],
)
def test_each_demo_login_signs_in_through_the_sign_in_page(demo, client, username, lands_on, role):
    from frontdoor.demo.loader import DEMO_PASSWORD
    from frontdoor.staff.roles import scope_of

    password = dict((u, p) for u, p, _r, _w in LOGINS)[username]
    assert username == "admin" or password == DEMO_PASSWORD
    response = client.post(
        "/accounts/login/", {"login": username, "password": password}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == lands_on
    scope = scope_of(User.objects.get(username=username))
    assert scope.is_staff_member is (role is not None)
    if role:
        assert getattr(scope, role)


def test_history_follows_the_calibration(demo):
    calibration = read_json("calibration.json")
    requests = ServiceRequest.objects.all()
    assert requests.count() == 1500
    closed = requests.filter(status=Status.CLOSED).count() / 1500
    assert abs(closed - calibration["closed_share"]) < 0.08
    channels = Counter(requests.values_list("channel", flat=True))
    assert channels.most_common(1)[0][0] in ("phone", "mobile")
    services = Counter(requests.values_list("service__code", flat=True))
    heaviest = max(calibration["service_weights"], key=calibration["service_weights"].get)
    assert services[heaviest] >= 1500 * calibration["service_weights"][heaviest] * 0.5
    # every request has its created event and closed ones their closing event
    assert Event.objects.filter(action=Event.Action.CREATED).count() == 1500
    assert (
        Event.objects.filter(action=Event.Action.CLOSED).count()
        == requests.filter(status=Status.CLOSED).count()
    )
    for request in requests.filter(status=Status.CLOSED)[:50]:
        assert request.closed_at >= request.requested_at
        assert request.resolution
    inside = requests.exclude(zones=None).count()
    assert inside == 1500
    # Open history is watched by the service-level sweep; a wait on the resident is paused.
    timed = requests.exclude(status=Status.CLOSED).exclude(due_at=None)
    assert timed.exists() and not timed.filter(sla_at_risk_at=None).exists()
    for request in timed.filter(sla_at_risk_at__isnull=False)[:50]:
        assert request.requested_at <= request.sla_at_risk_at <= request.due_at
    waiting = timed.filter(hold_reason=HoldReason.WAITING_ON_RESIDENT)
    assert waiting.exists() and not waiting.filter(sla_paused_at=None).exists()
    assert (
        not timed.exclude(hold_reason=HoldReason.WAITING_ON_RESIDENT)
        .exclude(sla_paused_at=None)
        .exists()
    )


def test_closed_share_option_sets_the_share_of_closed_requests(demo):
    last = ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first()
    HistoryGenerator(seed=9, closed_share=0.70).generate(400)
    new = ServiceRequest.objects.filter(pk__gt=last)
    assert new.count() == 400
    closed = new.filter(status=Status.CLOSED)
    assert abs(closed.count() / 400 - 0.70) < 0.07
    still_open = new.exclude(status=Status.CLOSED)
    assert not still_open.filter(closed_at__isnull=False).exists()
    assert not still_open.exclude(resolution="").exists()
    closing = Event.objects.filter(request__in=new, action=Event.Action.CLOSED)
    assert closing.count() == closed.count()
    assert not closing.exclude(request__status=Status.CLOSED).exists()
    for request in closed:
        assert request.resolution and request.requested_at <= request.closed_at
    # Resolution times are stretched, so the backlog is mostly recent.
    middle = sorted(new.values_list("requested_at", flat=True))[200]
    older, newer = new.filter(requested_at__lt=middle), new.filter(requested_at__gte=middle)
    assert older.filter(status=Status.CLOSED).count() > newer.filter(status=Status.CLOSED).count()


def test_closed_share_must_be_a_share():
    with pytest.raises(CommandError):
        call_command("demo_city", "--closed-share", "1.5", verbosity=0)
    with pytest.raises(ValueError):
        HistoryGenerator(closed_share=-0.1)


def test_loading_again_with_if_empty_changes_nothing(demo):
    before = (ServiceRequest.objects.count(), Service.objects.count(), User.objects.count())
    call_command("demo_city", if_empty=True, verbosity=0)
    assert (ServiceRequest.objects.count(), Service.objects.count(), User.objects.count()) == before


def test_demo_city_accepts_new_reports_through_the_workflow(demo):
    pothole = Service.objects.get(code="POTHOLE")
    answers = {}
    for question in pothole.questions.filter(required=True, variable=True):
        if question.is_list:
            answers[question.code] = question.values.first().key
        elif question.datatype == Question.Datatype.NUMBER:
            answers[question.code] = "3"
        else:
            answers[question.code] = "by the school"
    boundary = demo.geometry["coordinates"][0]
    lat = sum(p[1] for p in boundary) / len(boundary)
    lon = sum(p[0] for p in boundary) / len(boundary)
    request = workflow.submit(
        service=pothole,
        actor=workflow.Actor.resident(),
        channel="web",
        answers=answers,
        lat=lat,
        long=lon,
    )
    assert request.group is not None and request.zones.exists()


def test_history_already_records_old_warnings_and_breaches(demo):
    """A fresh demo city's first service-level sweep must not e-mail about old history."""
    from frontdoor.cases.service_levels import sweep
    from frontdoor.notifications.models import Notification

    late = ServiceRequest.objects.exclude(status=Status.CLOSED).filter(
        due_at__lte=timezone.now(), sla_paused_at__isnull=True
    )
    assert late.exists()
    assert not late.filter(sla_breached_at__isnull=True).exists()
    breaches = Event.objects.filter(request__in=late, action=Event.Action.SLA_BREACHED)
    assert breaches.count() == late.count()
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sweep()
    # Only a target crossed in the minutes since the history was made may notify anyone.
    recent = timezone.now() - timedelta(minutes=10)
    for notification in Notification.objects.filter(pk__gt=last).select_related("event__request"):
        request = notification.event.request
        assert max(request.due_at, request.sla_at_risk_at or request.due_at) >= recent


def test_history_already_records_old_idle_reminders(demo):
    """A fresh demo city's first idle-reminder sweep must not e-mail about old history."""
    from frontdoor.cases.idle import sweep
    from frontdoor.notifications.models import Notification

    open_requests = ServiceRequest.objects.exclude(status=Status.CLOSED)
    watched = open_requests.filter(service__idle_reminder_days__isnull=False)
    assert watched.exists()
    reminded = watched.filter(idle_reminded_at__isnull=False)
    assert reminded.exists()
    assert Event.objects.filter(request__in=reminded, action=Event.Action.REMINDER).count() >= (
        reminded.count()
    )
    assert not open_requests.filter(
        service__idle_reminder_days__isnull=True, idle_due_at__isnull=False
    ).exists()
    assert not watched.filter(idle_due_at__lte=timezone.now() - timedelta(minutes=10)).exists()
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sweep()
    # Only a threshold crossed in the minutes since the history was made may notify anyone.
    recent = timezone.now() - timedelta(minutes=10)
    for notification in Notification.objects.filter(pk__gt=last).select_related("event__request"):
        moment = notification.event.request.idle_reminded_at
        escalated = notification.event.request.idle_escalated_at
        assert max(moment, escalated or moment) >= recent


def test_demo_knowledge_base_and_canned_responses(demo):
    from frontdoor.knowledge import reviews, search
    from frontdoor.knowledge.canned import choices_for, render_canned
    from frontdoor.knowledge.models import Article, Audience, CannedResponse
    from frontdoor.notifications.models import Notification

    articles = Article.objects.filter(active=True)
    assert articles.filter(audience=Audience.PUBLIC).count() >= 5
    assert articles.filter(audience=Audience.INTERNAL).count() >= 2
    assert not articles.filter(owner__isnull=True).exists()
    assert articles.exclude(body_es="").exclude(body_es=None).count() >= articles.count() - 1
    pothole = Service.objects.get(code="POTHOLE")
    shown = search.for_service(pothole, "es")
    assert shown[0].is_internal and shown[0].title.startswith("Guion")
    assert search.search("bache", "es", audience=Audience.PUBLIC)[0].title.startswith("Baches")
    # a stale article is listed, but its owner counts as already told
    assert reviews.stale().exists()
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert reviews.sweep() == {"flagged": 0}
    assert not Notification.objects.filter(pk__gt=last).exists()

    assert CannedResponse.objects.filter(service__isnull=True).count() >= 2
    request = ServiceRequest.objects.filter(service=pothole).first()
    choices = choices_for(request)
    assert choices[0].service == pothole and choices[-1].service is None
    for response in CannedResponse.objects.all():
        for language in ("en", "es"):
            text = render_canned(response, request, language)
            assert "{" not in text and "}" not in text
