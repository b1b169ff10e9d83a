"""Canned responses (F19): placeholders checked when saved, filled in for a request in its
language, never leaking anything but the four values, and offered service-first."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from frontdoor.knowledge import placeholders
from frontdoor.knowledge.canned import choices_for, render_canned
from frontdoor.knowledge.models import CannedResponse
from tests import factories as f
from tests.conftest import submit_pothole

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_es(pothole, resident):  # type: ignore[no-untyped-def]
    from frontdoor.cases import workflow

    pothole.name_es = "Bache"
    pothole.save()
    return submit_pothole(pothole, contact=workflow.Contact(user=resident))


def test_placeholders_are_filled_with_the_requests_values(filed, city):
    response = f.CannedFactory(
        text_en="Dear {resident_name}, {tracking_number} ({service}) is fixed. {city} 311"
    )
    text = render_canned(response, filed, "en", private=True)
    assert text == (f"Dear Ana Pérez, {filed.display_number} (Pothole) is fixed. Testville 311")


def test_a_public_reply_never_carries_the_residents_name(filed):
    response = f.CannedFactory(
        text_en="Dear {resident_name}, thanks.", text_es="Hola {resident_name}."
    )
    assert render_canned(response, filed, "en") == "Dear resident, thanks."
    assert render_canned(response, filed, "es") == "Hola vecino(a)."
    assert "Ana" not in render_canned(response, filed, "en", private=False)


def test_unknown_name_gets_the_polite_generic_word(pothole):
    from frontdoor.cases import workflow

    anonymous = submit_pothole(pothole, contact=workflow.Contact())
    response = f.CannedFactory(
        text_en="Dear {resident_name},", text_es="Estimado(a) {resident_name}:"
    )
    assert render_canned(response, anonymous, "en", private=True) == "Dear resident,"
    assert render_canned(response, anonymous, "es", private=True) == "Estimado(a) vecino(a):"


def test_account_name_is_used_when_the_request_has_no_contact_name(pothole):
    from frontdoor.cases import workflow

    user = f.UserFactory(username="nameless", first_name="", last_name="")
    filed = submit_pothole(pothole, contact=workflow.Contact(user=user))
    assert filed.contact_name == ""
    response = f.CannedFactory(text_en="Hi {resident_name}")
    assert render_canned(response, filed, "en", private=True) == "Hi resident"
    user.first_name, user.last_name = "Lupe", "Vega"
    user.save()
    filed.refresh_from_db()
    assert render_canned(response, filed, "en", private=True) == "Hi Lupe Vega"
    assert render_canned(response, filed, "en") == "Hi resident"


def test_spanish_text_and_service_name_and_english_fallback(request_es):
    both = f.CannedFactory(
        text_en="Request {tracking_number}: {service}.",
        text_es="Solicitud {tracking_number}: {service}.",
    )
    number = request_es.display_number
    assert render_canned(both, request_es, "es") == f"Solicitud {number}: Bache."
    assert render_canned(both, request_es, "en") == f"Request {number}: Pothole."
    english_only = f.CannedFactory(text_en="Request {tracking_number}: {service}.")
    # No Spanish text: the English one, with the service's Spanish name.
    assert render_canned(english_only, request_es, "es") == f"Request {number}: Bache."
    assert translation.get_language() == "en"  # the language is restored


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fixed: {tracking_number}.", []),
        ("{ service } and {SERVICE}", []),
        ("Hello {name}", ["Unknown placeholder {name}."]),
        ("{tracking_number", ["A brace is not part of a placeholder"]),
        ("tracking_number}", ["A brace is not part of a placeholder"]),
        ("{{service}}", ["A brace is not part of a placeholder"]),
        ("{}", ["Unknown placeholder {}."]),
        ("{a} {b} {a}", ["Unknown placeholder {a}.", "Unknown placeholder {b}."]),
        ("{service.__class__}", ["Unknown placeholder {service.__class__}."]),
        ("{0}", ["Unknown placeholder {0}."]),
    ],
)
def test_placeholder_problems(text, expected):
    problems = placeholders.problems(text)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)


def test_problems_are_in_the_active_language():
    with translation.override("es"):
        (problem,) = placeholders.problems("Hola {nombre}")
    assert problem.startswith("Marcador desconocido {nombre}")
    assert "{tracking_number}" in problem


def test_model_validation_names_the_language_field(db):
    response = CannedResponse(title_en="x", text_en="ok {service}", text_es="mal {servicio")
    with pytest.raises(ValidationError) as error:
        response.full_clean()
    assert set(error.value.message_dict) == {"text_es"}


def test_choices_are_the_services_responses_then_general_ones(filed):
    general_late = f.CannedFactory(title_en="General B", order=2)
    general_early = f.CannedFactory(title_en="General A", order=1)
    mine = f.CannedFactory(title_en="Pothole", service=filed.service, order=5)
    f.CannedFactory(title_en="Other service", service=f.ServiceFactory())
    f.CannedFactory(title_en="Retired", service=filed.service, active=False)
    assert choices_for(filed) == [mine, general_early, general_late]


# --- Properties of the renderer -------------------------------------------------------------

VALUES = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=40)


@given(
    text=st.text(max_size=300),
    values=st.dictionaries(st.sampled_from(placeholders.PLACEHOLDERS), VALUES),
)
def test_any_text_fills_without_error_and_leaves_no_braces(text, values):
    out = placeholders.fill(text, values)
    assert "{" not in out and "}" not in out


SEGMENT = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=30)


@given(
    parts=st.lists(st.tuples(SEGMENT, st.sampled_from(placeholders.PLACEHOLDERS)), max_size=6),
    tail=SEGMENT,
    values=st.fixed_dictionaries({name: VALUES for name in placeholders.PLACEHOLDERS}),
)
def test_a_valid_template_is_valid_and_every_placeholder_is_replaced(parts, tail, values):
    template = "".join(f"{text}{{{name}}}" for text, name in parts) + tail
    assert placeholders.problems(template) == []
    expected = "".join(text + values[name] for text, name in parts) + tail
    assert placeholders.fill(template, values) == expected


@given(name=st.text(min_size=1, max_size=20).filter(lambda n: "{" not in n and "}" not in n))
def test_only_the_four_names_are_placeholders(name):
    problems = placeholders.problems("{" + name + "}")
    assert (problems == []) == (name.strip().lower() in placeholders.PLACEHOLDERS)
