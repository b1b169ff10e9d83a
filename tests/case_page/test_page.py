"""The case page: what staff see of one request, who may open it, and its cost."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdoor.cases import workflow
from frontdoor.cases.models import Visibility
from frontdoor.catalogue import cache
from frontdoor.catalogue.models import Question
from frontdoor.staff import case_views
from tests.case_page.helpers import case_url, photo
from tests.conftest import submit_pothole

pytestmark = pytest.mark.django_db


def staff_actor(user):  # type: ignore[no-untyped-def]
    return workflow.Actor.staff(user)


def page_of(client, user, req, **headers):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(case_url(req), headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_staff_see_details_answers_location_contact_followers_and_photos(client, org, pothole):
    req = submit_pothole(
        pothole,
        answers={"size": "large", "landmark": "By the school", "lanes": ["left", "bike"]},
        address="12 Elm Street",
        contact=workflow.Contact(name="Ana Pérez", email="ana@example.org", phone="555-0101"),
    )
    workflow.follow(req, actor=workflow.Actor.resident(), email="neighbour@example.org")
    workflow.add_attachment(
        req, photo(), actor=staff_actor(org["staff"]), visibility=Visibility.INTERNAL
    )

    page = page_of(client, org["staff"], req)

    assert f'Pothole <span class="case-number">{req.display_number}</span>' in page
    assert "Streets crew" in page and "New" in page and "Web" in page
    # Answers under their questions' labels, list keys as their names.
    assert "<dt>How big is it?</dt><dd>Large</dd>" in page
    assert "<dt>Which lanes?</dt><dd>Left, Bike</dd>" in page
    assert "<dt>Nearest landmark?</dt><dd>By the school</dd>" in page
    # Location as text (no tiles configured: no map, no Leaflet).
    assert "12 Elm Street" in page and "38.950000, -94.280000" in page
    assert 'href="geo:38.950000,-94.280000"' in page
    assert "leaflet" not in page and 'id="case-map"' not in page
    # The requester's contact details: this page is for staff only.
    assert "Ana Pérez" in page and "mailto:ana@example.org" in page and "tel:555-0101" in page
    assert "neighbour@example.org" in page
    # Staff see internal photos, marked as such.
    assert re.search(r'<li class="vis-internal">\s*<a href="/media/requests/', page)


def test_answers_show_numbers_times_in_the_city_and_answers_to_retired_questions(
    client, org, pothole
):
    req = submit_pothole(
        pothole,
        answers={"size": "small", "depth_cm": "12.5", "seen_at": "2026-03-01T14:30"},
    )
    Question.objects.filter(service=pothole, code="depth_cm").update(active=False)
    cache.clear()  # as every process does within CATALOGUE_CACHE_SECONDS
    page = page_of(client, org["staff"], req)
    # 14:30 city time (America/Chicago) was stored as UTC and shows as it was typed.
    assert "<dt>When did you see it?</dt><dd>March 1, 2026, 2:30 p.m.</dd>" in page
    # A question since retired keeps its answer, under its code.
    assert "<dt>depth_cm</dt><dd>12.5</dd>" in page


def test_the_timeline_marks_every_event_public_requester_or_internal_newest_first(
    client, org, filed
):
    actor = staff_actor(org["staff"])
    workflow.add_note(filed, "Crew can go Tuesday", actor=actor)
    workflow.message_requester(filed, "Is the hole in the bike lane?", actor=actor)
    workflow.reply(filed, "We are on it", actor=actor)

    page = page_of(client, org["staff"], filed)
    timeline = page[page.index('id="case-timeline"') :]
    entries = re.findall(
        r'<li class="event vis-(\w+)" id="event-(\d+)">.*?<strong>(.*?)</strong>'
        r'.*?<p class="event-meta muted"><time datetime="[^"]+">[^<]+</time> · ([^<]+)</p>',
        timeline,
        re.S,
    )
    assert [(vis, label, actor) for vis, _pk, label, actor in entries] == [
        ("public", "Reply from the city", "Sam Tester"),
        ("requester", "Message to the requester", "Sam Tester"),
        ("internal", "Internal note", "Sam Tester"),
        ("internal", "Routed to a group", "Frontdoor"),
        ("public", "Request received", "Resident"),
    ]
    ids = [int(pk) for _vis, pk, _label, _actor in entries]
    assert ids == sorted(ids, reverse=True)
    for marking in ("Public", "Requester and staff", "Staff only"):
        assert f">{marking}</span>" in timeline
    # Internal notes are shown to staff, with what was written.
    assert "Crew can go Tuesday" in timeline and "To Streets crew." in timeline


def test_the_number_can_be_typed_with_dashes_or_spaces(client, org, filed):
    client.force_login(org["staff"])
    for typed in (filed.display_number, filed.display_number.replace("-", " ")):
        response = client.get(reverse("staff:case", args=[typed]))
        assert response.status_code == 302
        assert response["Location"] == case_url(filed)


def test_an_unknown_or_malformed_number_is_a_clear_404(client, org, filed):
    client.force_login(org["staff"])
    wrong = "1234567890"  # fails the check digit
    response = client.get(reverse("staff:case", args=[wrong]))
    assert response.status_code == 404
    assert "No request has the number “1234567890”" in response.content.decode()
    response = client.get(reverse("staff:case", args=["not a number"]))
    assert response.status_code == 404


def test_anonymous_visitors_sign_in_first_and_residents_are_refused(client, org, filed):
    response = client.get(case_url(filed))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    client.force_login(org["resident"])
    response = client.get(case_url(filed))
    assert response.status_code == 403
    assert "Ana Pérez" not in response.content.decode()


def test_staff_of_another_department_read_the_case_but_are_offered_no_action(client, org, filed):
    page = page_of(client, org["outsider"], filed)
    assert "Ana Pérez" in page
    assert "There is nothing you can change on this request" in page
    assert 'hx-post="' not in page


def test_an_agent_is_offered_notes_replies_and_messages_only(client, org, filed):
    page = page_of(client, org["agent"], filed)
    offered = re.findall(r'id="action-([\w-]+)"', page)
    assert offered == ["note", "reply", "message"]


def test_group_members_see_the_actions_the_status_allows(client, org, filed):
    page = page_of(client, org["staff"], filed)
    offered = re.findall(r'id="action-([\w-]+)"', page)
    assert offered == [
        "take", "assign", "note", "reply", "request-info", "message", "hold", "forward",
        "priority", "photo", "close", "merge",
    ]  # fmt: skip
    workflow.close(filed, "fixed", actor=staff_actor(org["staff"]))
    page = page_of(client, org["staff"], filed)
    assert re.findall(r'id="action-([\w-]+)"', page) == [
        "note",
        "reply",
        "message",
        "photo",
        "reopen",
    ]
    assert "Fixed" in page


def test_every_form_posts_with_the_version_and_a_csrf_token(client, org, filed):
    page = page_of(client, org["staff"], filed)
    forms = re.findall(r"<form [^>]*hx-post=.*?</form>", page, re.S)
    assert len(forms) == 12
    for form in forms:
        assert 'name="csrfmiddlewaretoken"' in form
        assert f'name="version" value="{filed.version}"' in form
    close = next(form for form in forms if "/close/" in form)
    assert 'enctype="multipart/form-data"' in close
    assert 'accept="image/*" capture="environment"' in close


def test_no_contact_details_no_message_forms(client, org, pothole):
    req = submit_pothole(pothole, contact=workflow.Contact())
    page = page_of(client, org["staff"], req)
    assert 'id="action-message"' not in page and 'id="action-request-info"' not in page
    assert "there is no way to write to them" in page
    assert "Anonymous: no contact details." in page


def test_the_page_speaks_spanish_with_the_catalogue_in_spanish(client, org, pothole):
    question = Question.objects.get(service=pothole, code="size")
    question.description_es = "¿Qué tamaño tiene?"
    question.save()
    value = question.values.get(key="large")
    value.name_es = "Grande"
    value.save()
    req = submit_pothole(pothole)

    page = page_of(client, org["staff"], req, **{"accept-language": "es"})
    assert "<dt>¿Qué tamaño tiene?</dt><dd>Grande</dd>" in page
    assert "Detalles" in page and "Cronología" in page and "Nueva" in page


def test_due_times_are_marked_at_risk_then_overdue_and_a_paused_clock_says_so(client, org, filed):
    assert filed.sla_at_risk_at < filed.due_at
    with time_machine.travel(filed.sla_at_risk_at + timedelta(minutes=1), tick=False):
        page = page_of(client, org["staff"], filed)
        assert 'class="badge sla-at-risk"' in page and "— at risk" in page
    with time_machine.travel(filed.due_at + timedelta(minutes=1), tick=False):
        page = page_of(client, org["staff"], filed)
        assert 'class="badge sla-overdue"' in page and "— overdue" in page
    workflow.request_info(filed, "Which side of the road?", actor=staff_actor(org["staff"]))
    page = page_of(client, org["staff"], filed)
    assert "Service-level clock paused" in page and "Waiting for the resident" in page
    assert "sla-overdue" not in page and "sla-at-risk" not in page


def test_the_map_is_drawn_only_when_tiles_are_configured(client, org, filed, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example"
    page = page_of(client, org["staff"], filed)
    assert "/static/staff/vendor/leaflet/leaflet.js" in page
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'data-lat="38.950000" data-long="-94.280000"' in page
    assert "38.950000, -94.280000" in page  # the text stays for no JavaScript


def test_duplicate_suggestions_are_offered_when_the_finder_is_installed(
    client, org, pothole, filed, monkeypatch
):
    other = submit_pothole(pothole, description="Same hole")

    class Near:
        request, distance_m = other, 12.4

    monkeypatch.setattr(case_views, "_duplicate_finder", lambda: lambda req: [Near()])
    page = page_of(client, org["staff"], filed)
    assert f'href="{case_url(other)}">{other.display_number}</a>' in page
    assert "12 m away" in page
    assert f'name="original" value="{other.tracking_number}"' in page


def test_the_canned_picker_takes_the_place_of_the_reply_box_when_installed(
    client, org, filed, monkeypatch
):
    picker = engines["django"].from_string(
        '<textarea name="{{ field.html_name }}" id="canned-text-{{ field.html_name }}">'
        "{{ case.number }}</textarea>"
    )
    monkeypatch.setattr(case_views, "optional_template", lambda name: picker)
    page = page_of(client, org["staff"], filed)
    reply = re.search(r'<details class="action" id="action-reply".*?</details>', page, re.S)
    assert reply is not None
    assert f'id="canned-text-text">{filed.display_number}</textarea>' in reply.group(0)
    assert 'id="reply-text"' not in page
    assert 'id="note-text"' in page and 'id="message-text"' in page  # the others keep theirs


def test_the_picker_slot_is_filled_exactly_when_the_knowledge_app_is_installed(client, org, filed):
    from django.apps import apps

    case_views.optional_template.cache_clear()
    installed = apps.is_installed("frontdoor.knowledge")
    # The slot's template loads that app's tag library: it compiles only with the app.
    assert (case_views.optional_template(case_views.CANNED_PICKER) is not None) == installed
    assert case_views.optional_template("staff/case/page.html") == "staff/case/page.html"
    page = page_of(client, org["staff"], filed)
    assert ('id="canned-picker-text"' in page) == installed
    assert ('id="reply-text"' in page) != installed


def test_the_case_page_costs_the_same_queries_for_3_or_30_events_and_photos(
    client, org, pothole, settings
):
    # The catalogue cache must not expire between the two measurements on a slow machine.
    settings.CATALOGUE_CACHE_SECONDS = 3600
    few, many = submit_pothole(pothole), submit_pothole(pothole)
    actor = staff_actor(org["staff"])
    workflow.add_note(few, "one", actor=actor)
    workflow.add_attachment(few, photo(), actor=actor)
    workflow.follow(few, actor=actor, email="a@example.org")
    for index in range(28):
        workflow.add_note(many, f"note {index}", actor=actor)
    for _index in range(5):
        workflow.add_attachment(many, photo(), actor=actor)
    for index in range(20):
        workflow.follow(many, actor=actor, email=f"f{index}@example.org")
    client.force_login(org["staff"])
    client.get(case_url(few))  # warm the per-process catalogue cache

    counts = []
    for req in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(case_url(req))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
