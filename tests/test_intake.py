"""Phone and walk-in intake (F10): finding the service, filing the request, every refusal."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from frontdoor.cases.models import Event, ServiceRequest
from frontdoor.catalogue.models import Service
from frontdoor.notifications.models import Notification
from frontdoor.staff.intake import finder
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/staff/intake/"


@pytest.fixture
def agent(city):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="carmen", first_name="Carmen", is_agent=True)


@pytest.fixture
def agent_client(client, agent):  # type: ignore[no-untyped-def]
    client.force_login(agent)
    return client


@pytest.fixture
def catalogue(pothole):  # type: ignore[no-untyped-def]
    """The pothole service in two languages, a Spanish-keyworded one, a staff-only one and
    a withdrawn one."""
    pothole.name_es = "Bache"
    pothole.keywords_en = "hole in road, asphalt"
    pothole.keywords_es = "hoyo, asfalto"
    pothole.save()
    lights = f.ServiceFactory(
        code="STREETLIGHT",
        name="Streetlight out",
        name_es="Farola apagada",
        keywords_en="lamp, dark street",
        keywords_es="alumbrado público, calle oscura, vía sin luz",
        default_group=pothole.default_group,
    )
    welfare = f.ServiceFactory(
        code="WELFARE",
        name="Welfare check",
        name_es="Verificación de bienestar",
        audience=Service.Audience.STAFF,
        default_group=pothole.default_group,
        location_required=False,
    )
    gone = f.ServiceFactory(
        code="OLD", name="Old pothole form", active=False, default_group=pothole.default_group
    )
    return {"pothole": pothole, "lights": lights, "welfare": welfare, "gone": gone}


def valid_post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Ana Pérez",
        "phone": "(816) 555-0100",
        "email": "",
        "contact_preference": "phone",
        "language": "es",
        "answers.size": "large",
        "answers.depth_cm": "12",
        "answers.seen_at": "2026-03-01T14:30",
        "answers.landmark": "School crossing",
        "answers.details": "Two cars hit it",
        "answers.lanes": ["left", "bike"],
        "description": "Deep hole by the school crossing",
        "address": "100 Main St",
        "lat": str(f.WEST_POINT[0]),
        "long": str(f.WEST_POINT[1]),
        "channel": "phone",
        "priority": "high",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def file_url(service: str = "POTHOLE", **state: str) -> str:
    from urllib.parse import urlencode

    return f"{URL}?{urlencode({'service': service, **state})}"


def nothing_written() -> None:
    assert ServiceRequest.objects.count() == 0
    assert Event.objects.count() == 0
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


# --- Who may use it ----------------------------------------------------------------------


ROUTES = [
    ("get", URL),
    ("post", file_url()),
    ("get", "/staff/intake/services/?q=pot"),
    ("post", "/staff/intake/contact/"),
    ("get", "/staff/intake/filed/4821773015/"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, pothole, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    nothing_written()


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_residents_get_the_forbidden_page_and_nothing_is_written(
    client, pothole, resident, method, path
):
    from frontdoor.staff.models import InformationContact

    client.force_login(resident)
    data = valid_post() if method == "post" else None
    if path.endswith("contact/"):
        data = {"channel": "phone", "topic": "Trash day"}
    response = getattr(client, method)(path, data) if data else client.get(path)
    assert response.status_code == 403
    assert "your account has no staff role" in response.content.decode()
    nothing_written()
    assert InformationContact.objects.count() == 0


@pytest.mark.parametrize("role", ["agent", "member", "supervisor", "admin"])
def test_every_staff_role_can_take_a_call(client, pothole, role):
    if role == "admin":
        user = f.administrator(f"u-{role}")
    else:
        user = f.UserFactory(username=f"u-{role}", is_agent=role == "agent")
    if role == "member":
        f.MembershipFactory(user=user, group=pothole.default_group)
    elif role == "supervisor":
        pothole.default_group.department.supervisors.add(user)
    client.force_login(user)

    assert client.get(URL).status_code == 200
    response = client.post(file_url(), valid_post())
    assert response.status_code == 302
    assert ServiceRequest.objects.get().events.get(action=Event.Action.CREATED).actor == user


# --- The empty page and the service search -------------------------------------------------


def test_the_empty_page_starts_at_the_caller_lookup_and_documents_the_keys(agent_client, city):
    page = agent_client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["focus"] == "id_lookup"
    assert 'id="id_lookup"' in html and "autofocus" in html.split('id="id_lookup"')[1][:400]
    assert 'accesskey="c"' in html and 'accesskey="s"' in html
    assert "<kbd>Alt</kbd>+<kbd>S</kbd> service search" in html


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("pothole", ["POTHOLE"]),
        ("POT", ["POTHOLE"]),
        ("asphalt", ["POTHOLE"]),  # English keyword
        ("bache", ["POTHOLE"]),  # Spanish name
        ("asfalto", ["POTHOLE"]),  # Spanish keyword
        ("farola", ["STREETLIGHT"]),
        ("via", ["STREETLIGHT"]),  # "vía" without its accent
        ("ALUMBRADO público", ["STREETLIGHT"]),
        ("welfare", ["WELFARE"]),  # staff-only services are offered to staff
        ("bienestar", ["WELFARE"]),
        ("old", []),  # inactive
        ("pothole streetlight", []),  # every word must match
        ("%", []),
        ("", []),
    ],
)
def test_services_are_found_by_name_and_keyword_in_both_languages(catalogue, typed, codes):
    assert [service.code for service in finder.search(typed)] == codes


def test_a_name_match_ranks_above_a_keyword_match(catalogue):
    catalogue["lights"].keywords_en = "pothole nearby, lamp"
    catalogue["lights"].save()
    assert [s.code for s in finder.search("pothole")] == ["POTHOLE", "STREETLIGHT"]


def test_the_live_list_is_a_fragment_and_the_plain_search_a_page(agent_client, catalogue):
    live = agent_client.get(
        "/staff/intake/services/", {"q": "bache", "lookup": "816 555 0100"}, HTTP_HX_REQUEST="true"
    )
    fragment = live.content.decode()
    assert live.status_code == 200
    assert fragment.lstrip().startswith('<div id="service-results"')
    assert "<html" not in fragment
    # Choosing keeps the caller lookup.
    assert "?lookup=816+555+0100&amp;q=bache&amp;service=POTHOLE" in fragment

    page = agent_client.get(URL, {"q": "welfare"})
    html = page.content.decode()
    assert "<html" in html and "Welfare check" in html and "staff only" in html
    assert page.context["focus"] == "pick-service-0"

    none = agent_client.get(URL, {"q": "zzz"})
    assert "No service matches “zzz”" in none.content.decode()


def test_choosing_a_service_shows_its_questions_of_every_kind(agent_client, catalogue):
    page = agent_client.get(URL, {"service": "POTHOLE"})
    html = page.content.decode()
    assert "If a car was damaged call 911." in html  # informational notice
    assert '<select id="id_answer_size" name="answers.size"' in html
    assert 'How big is it? <span class="required">(required)' in html
    assert 'type="datetime-local"' in html and 'inputmode="decimal"' in html
    assert 'type="checkbox" name="answers.lanes" value="bike"' in html
    assert '<textarea id="id_answer_details"' in html
    assert (
        'accesskey="q"'
        in html.split('id="id_answer_size"')[0][-10:] + html.split('id="id_answer_size"')[1][:300]
    )
    # Every intake channel, phone first; the service's default priority.
    channels = page.context["form"].channel_choices()
    assert [value for value, _label in channels] == ["phone", "walk_in", "email", "mail", "fax"]
    assert page.context["form"].values["priority"] == "normal"
    assert page.context["focus"] == "id_name"


def test_a_withdrawn_service_cannot_be_chosen(agent_client, catalogue):
    page = agent_client.get(URL, {"service": "OLD"})
    assert page.context["form"] is None
    assert "That service is not offered any more" in page.content.decode()


# --- Filing ------------------------------------------------------------------------------


def test_an_agent_files_a_request_for_a_caller_and_sees_the_tracking_number(
    agent_client, agent, pothole, mailoutbox
):
    response = agent_client.post(file_url(lookup="816 555 0100"), valid_post())

    filed = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/intake/filed/{filed.tracking_number}/"
    assert filed.channel == "phone" and filed.priority == "high"
    assert (filed.contact_name, filed.contact_phone) == ("Ana Pérez", "(816) 555-0100")
    assert (filed.contact_preference, filed.language) == ("phone", "es")
    assert filed.answers == {
        "size": "large",
        "depth_cm": 12,
        "seen_at": "2026-03-01T20:30:00Z",
        "landmark": "School crossing",
        "details": "Two cars hit it",
        "lanes": ["left", "bike"],
    }
    assert filed.address == "100 Main St" and filed.lat == f.WEST_POINT[0]
    created = filed.events.get(action=Event.Action.CREATED)
    assert created.actor == agent and created.data["after"]["channel"] == "phone"

    shown = agent_client.get(response["Location"])
    html = shown.content.decode()
    number = filed.tracking_number
    assert f'id="tracking-number" role="status">{number[:4]}-{number[4:8]}-{number[8:]}<' in html
    assert "New call" in html and 'accesskey="n"' in html


def test_picking_an_account_files_the_request_for_it(agent_client, pothole):
    rosa = f.UserFactory(username="rosa", first_name="Rosa", phone="816 555 0111", language="es")
    page = agent_client.get(file_url(caller=f"account:{rosa.pk}"))
    assert page.context["form"].values["account"] == str(rosa.pk)

    data = valid_post(account=str(rosa.pk), name="Rosa Tester", phone="816 555 0111")
    agent_client.post(file_url(caller=f"account:{rosa.pk}"), data)

    assert ServiceRequest.objects.get().requester == rosa


@pytest.mark.parametrize("channel", ["walk_in", "email", "mail", "fax"])
def test_each_intake_channel_is_recorded(agent_client, pothole, channel):
    agent_client.post(file_url(), valid_post(channel=channel))
    assert ServiceRequest.objects.get().channel == channel


def test_a_staff_only_service_without_location_can_be_filed(agent_client, catalogue):
    data = {"name": "Ana", "phone": "816 555 0100", "channel": "phone", "description": "Mum"}
    response = agent_client.post(file_url("WELFARE"), data)
    assert response.status_code == 302
    assert ServiceRequest.objects.get().service.code == "WELFARE"


# --- Every refusal: a message by the field, nothing written, the input kept -----------------


def refused(client: Any, data: dict[str, Any], service: str = "POTHOLE") -> Any:
    response = client.post(file_url(service), data)
    assert response.status_code == 200
    nothing_written()
    return response


def test_a_missing_required_answer_is_shown_by_its_question(agent_client, pothole):
    response = refused(agent_client, valid_post(**{"answers.size": ""}))

    form = response.context["form"]
    size = next(field for field in form.question_fields if field.question.code == "size")
    assert size.errors == ["Please answer: How big is it?"]
    assert response.context["focus"] == "id_answer_size"
    html = response.content.decode()
    assert 'aria-invalid="true"' in html.split('id="id_answer_size"')[1][:400]
    # What was typed is still there.
    assert "Deep hole by the school crossing</textarea>" in html
    assert 'value="100 Main St"' in html
    assert re.search(r'value="bike"\s*checked', html)
    assert not re.search(r'value="right"\s*checked', html)


def test_a_location_outside_the_city_is_refused(agent_client, pothole):
    lat, long = f.OUTSIDE_POINT
    response = refused(agent_client, valid_post(lat=str(lat), long=str(long)))
    assert response.context["form"].errors["location"] == [
        "This location is outside Testville. Please choose a place in the city."
    ]
    assert response.context["focus"] == "id_address"
    assert 'id="location-error"' in response.content.decode()


def test_no_location_at_all_is_refused_for_a_service_that_needs_one(agent_client, pothole):
    response = refused(agent_client, valid_post(lat="", long="", address=""))
    assert "Please give a location" in response.context["form"].errors["location"][0]


@pytest.mark.parametrize("channel", ["web", "mobile", "import", "bogus", ""])
def test_a_tampered_channel_is_refused(agent_client, pothole, channel):
    response = refused(agent_client, valid_post(channel=channel))
    assert response.context["form"].errors["channel"] == [
        "Choose how the caller reached the city: phone, walk-in, e-mail, mail or fax."
    ]
    assert response.context["focus"] == "id_channel"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("answers.depth_cm", "very deep", "Enter a number."),
        ("answers.seen_at", "yesterday", "Enter a date and time, e.g. 2026-03-01T14:30."),
        ("answers.size", "huge", "“huge” is not one of the options."),
        ("answers.lanes", ["left", "sidewalk"], "“sidewalk” is not one of the options."),
    ],
)
def test_an_answer_of_the_wrong_kind_is_refused(agent_client, pothole, field, value, message):
    response = refused(agent_client, valid_post(**{field: value}))
    code = field.split(".")[1]
    question = next(q for q in response.context["form"].question_fields if q.question.code == code)
    assert question.errors == [message]


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        (
            {"email": "ana@", "contact_preference": "email"},
            "email",
            "Enter a valid e-mail address.",
        ),
        ({"phone": "call me"}, "phone", "Enter a valid phone number."),
        ({"phone": "", "contact_preference": "sms"}, "phone", "Give a phone number"),
        ({"contact_preference": "pigeon"}, "contact_preference", "Choose how we should"),
        ({"priority": "whenever"}, "priority", "Unknown priority."),
        ({"lat": "north"}, "location", "Latitude must be a number"),
        ({"lat": ""}, "location", "Give both latitude and longitude"),
        ({"lat": "95", "long": "0"}, "location", "from -90 to 90"),
        ({"description": "x" * 4001}, "description", "the limit is 4000"),
    ],
)
def test_bad_contact_location_and_priority_are_refused(
    agent_client, pothole, changes, key, message
):
    response = refused(agent_client, valid_post(**changes))
    assert message in response.context["form"].errors[key][0]
    assert message.split(" ")[0] in response.content.decode()


def test_every_problem_is_reported_at_once(agent_client, pothole):
    data = valid_post(channel="web", priority="x", **{"answers.size": "", "answers.depth_cm": "?"})
    response = refused(agent_client, data)
    errors = response.context["form"].errors
    assert {"channel", "priority", "answers.size", "answers.depth_cm"} <= set(errors)
    assert response.context["focus"] == "id_answer_size"  # the first in the page


def test_a_tampered_account_or_service_is_refused(agent_client, pothole):
    response = refused(agent_client, valid_post(account="99999"))
    assert "That account could not be found" in response.content.decode()
    response = refused(agent_client, valid_post(account="1 OR 1=1"))
    assert "That account could not be found" in response.content.decode()

    gone = agent_client.post(file_url("NOPE"), valid_post())
    assert gone.status_code == 302 and "service=" not in gone["Location"]
    nothing_written()


def test_a_service_withdrawn_while_the_form_was_open_is_refused(agent_client, catalogue):
    page = agent_client.get(file_url())
    assert page.status_code == 200
    Service.objects.filter(code="POTHOLE").update(active=False)
    from frontdoor.catalogue import cache

    cache.clear()
    response = agent_client.post(file_url(), valid_post())
    assert response.status_code == 302
    nothing_written()


def test_an_unknown_tracking_number_has_no_filed_page(agent_client, city):
    assert agent_client.get("/staff/intake/filed/4821773015/").status_code == 404
    assert agent_client.get("/staff/intake/filed/%3Cscript%3E/").status_code == 404


# --- Spanish -------------------------------------------------------------------------------


def test_the_page_and_its_messages_are_in_spanish(client, agent, catalogue):
    client.force_login(agent)
    client.cookies["django_language"] = "es"

    page = client.get(URL, {"q": "bache"})
    html = page.content.decode()
    assert '<html lang="es">' in html
    assert "Teléfono o correo electrónico" in html
    assert ">Bache</a>" in html

    response = client.post(file_url(), valid_post(channel="web", **{"answers.size": ""}))
    html = response.content.decode()
    assert "Responda, por favor: How big is it?" in html
    assert "Elija cómo se comunicó la persona con la ciudad" in html
    assert "No se presentó la solicitud" in html
    nothing_written()


# --- The knowledge base next to the form ---------------------------------------------------


def test_the_agent_script_comes_first_then_public_articles_in_the_agents_language(
    client, agent, pothole
):
    f.ArticleFactory(
        title_en="Potholes: what happens next",
        title_es="Baches: qué pasa después",
        body_en="Crews fill most potholes within three working days.",
        body_es="Las cuadrillas rellenan la mayoría de los baches en tres días hábiles.",
        services=[pothole],
    )
    f.ArticleFactory(
        title_en="Script: pothole calls",
        body_en="Ask which lane it is in.",
        audience="internal",
        services=[pothole],
    )
    f.ArticleFactory(title_en="Unrelated", body_en="Nothing to do with it.")
    client.force_login(agent)

    html = client.get(file_url()).content.decode()
    script, public = html.index("Script: pothole calls"), html.index("Potholes: what happens next")
    assert script < public and "Unrelated" not in html
    assert "Ask which lane it is in." in html
    assert "/help/" in html[public:]  # the public article's link for the caller

    client.cookies["django_language"] = "es"
    html = client.get(file_url()).content.decode()
    assert "Baches: qué pasa después" in html and "tres días hábiles" in html
    assert "Script: pothole calls" in html and "(en inglés)" in html  # no Spanish text yet


def test_a_service_without_articles_says_so(agent_client, pothole):
    html = agent_client.get(file_url()).content.decode()
    assert "No agent script or article for this service yet." in html


def test_control_characters_in_the_callers_details_are_dropped(agent_client, pothole):
    response = agent_client.post(file_url(), valid_post(name="Ana\x00 Pérez\x07", phone="816\x00"))
    # The phone is then too short to be a number; nothing is filed, and nothing breaks.
    assert response.status_code == 200
    assert response.context["form"].values["name"] == "Ana Pérez"
    assert response.context["form"].errors["phone"] == ["Enter a valid phone number."]
    nothing_written()
    agent_client.post(file_url(), valid_post(name="Ana\x00 Pérez"))
    assert ServiceRequest.objects.get().contact_name == "Ana Pérez"
