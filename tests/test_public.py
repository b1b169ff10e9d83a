"""The public projection never carries personal data, internal notes or private services."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from frontdoor.cases import workflow
from frontdoor.cases.models import Resolution
from frontdoor.cases.public import as_dict, public_view, publicly_listed
from tests.conftest import submit_pothole

pytestmark = pytest.mark.django_db

SECRETS = [
    "Ana Pérez",
    "ana@example.org",
    "816-555-0199",
    "neighbour@example.org",
    "drunk again",
    "Which house number?",
    "My number is 42",
]


def test_public_view_shows_progress_but_no_personal_data(pothole, staff):
    request = submit_pothole(
        pothole,
        contact=workflow.Contact(name="Ana Pérez", email="ana@example.org", phone="816-555-0199"),
    )
    actor = workflow.Actor.staff(staff)
    workflow.follow(request, email="neighbour@example.org", actor=workflow.Actor.resident())
    workflow.add_note(request, "Caller sounded drunk again", actor=actor)
    workflow.request_info(request, "Which house number?", actor=actor)
    workflow.receive_message(request, "My number is 42", actor=workflow.Actor.resident())
    workflow.reply(request, "Crew booked for Tuesday", actor=actor)
    workflow.close(request, Resolution.FIXED, actor=actor, public_note="Patched")
    view = public_view(request)
    text = json.dumps(as_dict(view), cls=DjangoJSONEncoder, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text
    assert "Crew booked for Tuesday" in text and "Patched" in text
    assert view.open311_status == "closed"
    assert view.lat == round(request.lat, 4)
    actions = [e.action for e in view.timeline]
    assert "request.note_added" not in actions and "request.message_received" not in actions


def test_private_services_are_never_public(pothole):
    pothole.private = True
    pothole.save()
    request = submit_pothole(pothole)
    assert public_view(request) is None
    assert not publicly_listed().filter(pk=request.pk).exists()
