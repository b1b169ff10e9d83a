"""The report form: every datatype, the location, photos, contact, and bad input that is
refused next to its field, in the resident's language, with nothing written."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from frontdoor.cases.models import Attachment, Channel, Event, ServiceRequest
from frontdoor.geocoding.models import AddressPoint
from frontdoor.geocoding.normalise import normalise
from frontdoor.notifications.models import Notification
from tests import factories as f
from tests.portal_helpers import jpeg, report_data

URL = "/report/POTHOLE/"


def nothing_written() -> bool:
    return not (
        ServiceRequest.objects.exists() or Event.objects.exists() or Attachment.objects.exists()
    )


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_the_form_renders_every_datatype_with_required_marks_and_notices(client, pothole):  # type: ignore[no-untyped-def]
    html = page(client.get(URL))
    assert 'type="radio" name="q_size"' in html
    assert 'inputmode="decimal" id="id_q_depth_cm"' in html
    assert 'type="datetime-local" id="id_q_seen_at"' in html
    assert 'type="text" id="id_q_landmark"' in html
    assert 'id="id_q_details"' in html and "<textarea" in html
    assert 'type="checkbox" name="q_lanes"' in html
    assert "If a car was damaged call 911." in html  # informational attribute as text
    assert 'name="q_notice"' not in html
    size_legend = html.split('name="q_size"')[0].rsplit("<legend>", 1)[1]
    assert "(required)" in size_legend
    assert 'id="report-map"' in html and "leaflet.js" in html
    from frontdoor.cases.images import HEIF

    assert ("image/heic" in html) == HEIF  # never asked for when it cannot be read


def test_an_anonymous_report_with_every_datatype_is_filed_through_the_workflow(client, pothole):  # type: ignore[no-untyped-def]
    response = client.post(URL, report_data())
    assert response.status_code == 302
    filed = ServiceRequest.objects.get()
    assert response["Location"] == f"/submitted/{filed.tracking_number}/"
    assert filed.channel == Channel.WEB
    assert filed.requester is None and filed.contact_email == "ana@example.org"
    assert filed.answers == {
        "size": "large",
        "depth_cm": 12000,
        "seen_at": "2026-03-01T20:30:00Z",  # city time (Chicago, CST) to UTC
        "landmark": "Lincoln school",
        "details": "Two holes\nnext to each other",
        "lanes": ["left", "bike"],
    }
    assert (filed.lat, filed.long) == f.WEST_POINT
    assert filed.language == "en"
    assert Notification.objects.filter(kind="request_received", recipient="ana@example.org")
    confirmation = page(client.get(response["Location"]))
    assert filed.display_number in confirmation
    assert f'href="/track/{filed.tracking_number}/"' in confirmation
    assert "We are also sending it to your e-mail" in confirmation


def test_the_confirmation_is_only_for_the_browser_that_filed(client, pothole):  # type: ignore[no-untyped-def]
    from django.test import Client

    client.post(URL, report_data())
    number = ServiceRequest.objects.get().tracking_number
    other = Client().get(f"/submitted/{number}/")
    assert other.status_code == 302 and other["Location"] == f"/track/{number}/"


def test_fully_anonymous_report_without_contact(client, pothole):  # type: ignore[no-untyped-def]
    data = report_data(name="", email="", contact_preference=None)
    assert client.post(URL, data).status_code == 302
    filed = ServiceRequest.objects.get()
    assert (filed.contact_email, filed.contact_preference) == ("", "none")


@pytest.mark.parametrize(
    "overrides, field_id, message",
    [
        ({"q_size": ""}, "field-answerssize", "Please answer: How big is it?"),
        ({"q_size": "gigantic"}, "field-answerssize", "is not one of the options"),
        ({"q_depth_cm": "deep"}, "field-answersdepth_cm", "Enter a number."),
        ({"q_seen_at": "yesterday"}, "field-answersseen_at", "Enter a date and time"),
        ({"q_lanes": ["left", "sky"]}, "field-answerslanes", "is not one of the options"),
        ({"q_landmark": "x" * 501}, "field-answerslandmark", "the limit is 500"),
        ({"lat": "", "long": ""}, "field-location", "Please give a location"),
        ({"lat": "40.0", "long": "-95.0"}, "field-location", "outside Testville"),
        ({"lat": "91", "long": "0"}, "field-location", "Latitude must be a number"),
        ({"lat": "38.95", "long": ""}, "field-location", "Give both latitude and longitude"),
        ({"email": "not-an-address"}, "field-contact", "Enter a valid e-mail address."),
        ({"email": "", "contact_preference": "email"}, "field-contact", "Give an e-mail"),
        ({"phone": "call me"}, "field-contact", "Enter a valid phone number."),
        ({"contact_preference": "pigeon"}, "field-contact", "Choose how we should contact"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    client, pothole, overrides, field_id, message
):  # type: ignore[no-untyped-def]
    response = client.post(URL, report_data(**overrides))
    assert response.status_code == 400
    html = page(response)
    assert nothing_written()
    field = html.split(f'id="{field_id}"', 1)[1].split("</fieldset>")[0].split("</div>")[0]
    assert message in field, field[:600]
    assert f'href="#{field_id}"' in html  # the summary links to it
    # What the resident typed is still there.
    assert "Deep hole by the school crossing" in html
    assert 'value="Ana Pérez"' in html


def test_messages_are_in_spanish_for_a_spanish_speaker(client, pothole):  # type: ignore[no-untyped-def]
    pothole.questions.filter(code="size").update(description_es="¿Qué tamaño tiene?")
    response = client.post(
        URL,
        report_data(q_size="", q_depth_cm="mucho", lat="40.0", long="-95.0"),
        headers={"Accept-Language": "es"},
    )
    html = page(response)
    assert response.status_code == 400
    assert "Responda, por favor: ¿Qué tamaño tiene?" in html
    assert "Ingrese un número." in html
    assert "Este lugar está fuera de Testville" in html
    assert "Hay 3 problemas con su reporte" in html
    assert nothing_written()


def test_a_report_is_filed_in_the_residents_language(client, pothole):  # type: ignore[no-untyped-def]
    client.post(URL, report_data(), headers={"Accept-Language": "es"})
    assert ServiceRequest.objects.get().language == "es"


def test_photos_are_stored_without_their_camera_data(client, pothole):  # type: ignore[no-untyped-def]
    response = client.post(URL, report_data(photos=[jpeg(gps=True), jpeg("two.jpg")]))
    assert response.status_code == 302
    attachments = list(ServiceRequest.objects.get().attachments.all())
    assert len(attachments) == 2
    with default_storage.open(attachments[0].file.name) as stored:
        image = Image.open(stored)
        assert len(image.getexif()) == 0
    # The photos kept between rounds are gone once filed.
    assert not default_storage.exists("pending") or not any(
        default_storage.listdir(f"pending/{day}")[1]
        for day in default_storage.listdir("pending")[0]
    )


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("notes.txt", b"just some text", content_type="text/plain"),
            "not a photo we can read",
        ),
        (
            SimpleUploadedFile(
                "fake.jpg", b"\xff\xd8\xff\xe0 not really", content_type="image/jpeg"
            ),
            "not a photo we can read",
        ),
        (SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"), "empty"),
    ],
)
def test_files_that_are_not_photos_are_refused(client, pothole, upload, message):  # type: ignore[no-untyped-def]
    response = client.post(URL, report_data(photos=[upload]))
    assert response.status_code == 400
    assert message in page(response).split('id="field-photos"')[1]
    assert nothing_written()


def test_an_oversized_photo_is_refused(client, pothole, settings):  # type: ignore[no-untyped-def]
    settings.FRONTDOOR_MAX_PHOTO_BYTES = 1024
    response = client.post(URL, report_data(photos=[jpeg(size=(400, 300))]))
    assert response.status_code == 400
    assert "too large" in page(response)
    assert nothing_written()


def test_more_than_five_photos_are_refused(client, pothole):  # type: ignore[no-untyped-def]
    uploads = [jpeg(f"p{i}.jpg") for i in range(6)]
    response = client.post(URL, report_data(photos=uploads))
    assert response.status_code == 400
    assert "up to 5 photos" in page(response)
    assert nothing_written()


def kept_tokens(html: str) -> list[str]:
    return re.findall(r'name="kept_photo" value="([^"]+)"', html)


def test_photos_survive_a_round_with_errors(client, pothole):  # type: ignore[no-untyped-def]
    first = client.post(URL, report_data(q_size="", photos=[jpeg()]))
    assert first.status_code == 400
    tokens = kept_tokens(page(first))
    assert len(tokens) == 1
    assert nothing_written()
    second = client.post(URL, report_data(kept_photo=tokens))
    assert second.status_code == 302
    assert ServiceRequest.objects.get().attachments.count() == 1


def test_a_forged_photo_token_is_ignored(client, pothole):  # type: ignore[no-untyped-def]
    response = client.post(URL, report_data(kept_photo=["pending/x.jpg:forged"]))
    assert response.status_code == 302
    assert ServiceRequest.objects.get().attachments.count() == 0


def test_the_photos_position_is_offered_when_no_location_was_given(client, pothole):  # type: ignore[no-untyped-def]
    first = client.post(URL, report_data(lat="", long="", photos=[jpeg(gps=True)]))
    html = page(first)
    assert first.status_code == 400
    assert "Use the photo’s location" in html
    assert nothing_written()
    second = client.post(
        URL, report_data(lat="", long="", kept_photo=kept_tokens(html), action="use_photo_position")
    )
    html = page(second)
    assert 'name="lat" id="id_lat" value="38.95"' in html
    assert 'name="long" id="id_long" value="-94.25"' in html
    assert nothing_written()  # the resident checks it first
    data = report_data(lat="38.95", long="-94.25", kept_photo=kept_tokens(html))
    assert client.post(URL, data).status_code == 302
    assert (ServiceRequest.objects.get().lat, ServiceRequest.objects.get().long) == (38.95, -94.25)


def test_a_photo_without_gps_offers_nothing(client, pothole):  # type: ignore[no-untyped-def]
    html = page(client.post(URL, report_data(lat="", long="", photos=[jpeg()])))
    assert "Use the photo’s location" not in html


def test_a_typed_address_the_index_knows_is_located(client, pothole):  # type: ignore[no-untyped-def]
    AddressPoint.objects.create(
        label="123 Main Street",
        normalised=normalise("123 Main Street"),
        street_normalised=normalise("Main Street"),
        house_number=123,
        postal_code="64170",
        source_id="A-123",
        lat=38.951,
        lon=-94.271,
    )
    data = report_data(lat="", long="", address="123 main st")
    assert client.post(URL, data).status_code == 302
    filed = ServiceRequest.objects.get()
    assert (filed.lat, filed.long) == (38.951, -94.271)
    assert (filed.address, filed.address_id, filed.postal_code) == ("123 main st", "A-123", "64170")


def test_an_unknown_typed_address_is_still_accepted_for_staff_to_locate(client, pothole):  # type: ignore[no-untyped-def]
    data = report_data(lat="", long="", address="Behind the old mill")
    assert client.post(URL, data).status_code == 302
    filed = ServiceRequest.objects.get()
    assert filed.lat is None and filed.address == "Behind the old mill"


def test_a_signed_in_resident_finds_their_details_filled_in(client, pothole, resident):  # type: ignore[no-untyped-def]
    client.force_login(resident)
    html = page(client.get(URL))
    assert 'value="rosa@example.org"' in html
    data = report_data(name="Rosa", email="rosa@example.org")
    assert client.post(URL, data).status_code == 302
    assert ServiceRequest.objects.get().requester == resident


def test_anonymous_submissions_are_rate_limited_per_client(client, pothole, settings):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.clear()
    settings.PORTAL_SUBMISSIONS_PER_WINDOW = 2
    # Far enough apart that none is offered as a duplicate of another.
    for lat in ("38.91", "38.93"):
        assert client.post(URL, report_data(lat=lat)).status_code == 302
    refused = client.post(URL, report_data(lat="38.97"))
    assert refused.status_code == 429
    assert "please wait" in page(refused)
    assert "Deep hole by the school crossing" in page(refused)
    assert ServiceRequest.objects.count() == 2
    # Another client (address) is not affected.
    assert client.post(URL, report_data(lat="38.99"), REMOTE_ADDR="10.1.2.3").status_code == 302
    cache.clear()


def test_the_client_address_comes_from_the_proxy_header_when_configured(rf, settings):  # type: ignore[no-untyped-def]
    from frontdoor.portal.ratelimit import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(request) == "203.0.113.7"


def test_information_only_services_cannot_be_filed(client, pothole):  # type: ignore[no-untyped-def]
    from frontdoor.cases import workflow
    from frontdoor.cases.errors import UnknownService

    pothole.info_only = True
    pothole.public_notice = "Potholes are fixed in spring."
    pothole.save()
    response = client.post(URL, report_data())
    assert response.status_code == 200 and "Potholes are fixed in spring." in page(response)
    with pytest.raises(UnknownService):
        workflow.submit(
            service=pothole, actor=workflow.Actor.resident(), channel="web", answers={"size": "s"}
        )
    assert nothing_written()


def test_address_suggestions_and_the_address_at_a_pin(client, pothole):  # type: ignore[no-untyped-def]
    AddressPoint.objects.create(
        label="204 Main Street",
        normalised=normalise("204 Main Street"),
        street_normalised=normalise("Main Street"),
        house_number=204,
        lat=38.95,
        lon=-94.28,
    )
    html = page(client.get("/addresses/", {"address": "204 main str"}))
    assert 'data-address="204 Main Street"' in html and 'data-lat="38.950000"' in html
    assert page(client.get("/addresses/", {"address": "zz"})).strip() == ""
    assert client.get("/addresses/reverse/", {"lat": "38.9501", "long": "-94.2801"}).json() == {
        "address": "204 Main Street",
        "address_id": "",
        "postal_code": "",
    }
    assert client.get("/addresses/reverse/", {"lat": "x", "long": "1"}).json() == {}


def test_photos_of_abandoned_forms_are_pruned_after_a_day(pothole):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from frontdoor.core.registered_sweeps import prune_pending_photos
    from frontdoor.portal import photos

    kept = photos.keep(jpeg())
    assert prune_pending_photos() == {"deleted": 0}
    assert photos.restore(kept.token) is not None
    assert photos.prune(timezone.now() + timedelta(days=2)) == {"deleted": 1}
    assert photos.restore(kept.token) is None
