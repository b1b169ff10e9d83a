"""Information-only contacts: logged from the intake page, counted for reporting, never a
service request."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from frontdoor.cases.errors import InvalidInput
from frontdoor.cases.models import ServiceRequest
from frontdoor.staff.intake.contacts import DailyCount, daily_counts, log_information_contact
from frontdoor.staff.models import InformationContact
from frontdoor.staff.policy import Forbidden
from frontdoor.staff.roles import scope_of
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/staff/intake/contact/"


@pytest.fixture
def agent(city):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="carmen", first_name="Carmen", is_agent=True)


def test_a_contact_is_logged_from_the_page_and_a_new_call_begins(client, agent, pothole):
    rosa = f.UserFactory(username="rosa", first_name="Rosa", phone="816 555 0111")
    client.force_login(agent)
    data = {
        "service": "POTHOLE",
        "lookup": "816 555 0111",
        "caller": f"account:{rosa.pk}",
        "account": str(rosa.pk),
        "channel": "walk_in",
        "topic": "When will it be fixed?",
        "note": "Told them crews fill potholes within three working days.",
        "name": "Rosa Tester",
        "phone": "816 555 0111",
        "email": "",
        "language": "es",
    }

    response = client.post(URL, data, follow=True)

    assert response.redirect_chain == [(reverse("staff:intake"), 302)]
    assert "Logged as an information-only contact" in response.content.decode()
    assert response.context["focus"] == "id_lookup"
    contact = InformationContact.objects.get()
    assert (contact.channel, contact.service, contact.agent) == ("walk_in", pothole, agent)
    assert (contact.caller, contact.caller_name, contact.language) == (rosa, "Rosa Tester", "es")
    assert contact.topic == "When will it be fixed?"
    assert contact.note.startswith("Told them")
    assert ServiceRequest.objects.count() == 0


def test_an_anonymous_caller_with_just_a_topic_is_enough(client, agent, city):
    client.force_login(agent)
    client.post(URL, {"channel": "phone", "topic": "Trash pickup day"})
    contact = InformationContact.objects.get()
    assert (contact.service, contact.topic, contact.caller_name) == (None, "Trash pickup day", "")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"channel": "phone"}, "topic", "Say what the caller asked about"),
        ({"channel": "web", "topic": "Hours"}, "channel", "Choose how the caller reached"),
        ({"channel": "", "topic": "Hours"}, "channel", "Choose how the caller reached"),
        ({"channel": "phone", "topic": "x" * 201}, "topic", "the limit is 200"),
        ({"channel": "phone", "topic": "Hours", "email": "ana@"}, "email", "valid e-mail"),
        ({"channel": "phone", "topic": "Hours", "phone": "555"}, "phone", "valid phone"),
    ],
)
def test_bad_contacts_are_refused_by_the_field_and_nothing_is_written(
    client, agent, city, data, field, message
):
    client.force_login(agent)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert message in response.context["info"]["errors"][field][0]
    assert response.context["focus"] == f"id_info_{field}"
    assert message.split(" ")[0] in response.content.decode()
    assert InformationContact.objects.count() == 0
    # What was typed is kept.
    if data.get("topic"):
        assert f'value="{data["topic"]}"' in response.content.decode()


def test_a_tampered_account_is_refused(client, agent, city):
    client.force_login(agent)
    response = client.post(URL, {"channel": "phone", "topic": "Hours", "account": "abc"})
    assert "That account could not be found" in response.content.decode()
    assert InformationContact.objects.count() == 0


def test_only_staff_may_log_contacts(city, resident):
    with pytest.raises(Forbidden):
        log_information_contact(scope_of(resident), channel="phone", topic="Hours")
    assert InformationContact.objects.count() == 0


def test_the_contact_form_speaks_spanish(client, agent, city):
    client.force_login(agent)
    client.cookies["django_language"] = "es"
    response = client.post(URL, {"channel": "fax"})
    assert "Indique qué preguntó la persona" in response.content.decode()


def test_daily_counts_by_channel_and_service_in_the_citys_days(agent, pothole):
    scope = scope_of(agent)
    other = f.ServiceFactory(code="TRASH", default_group=pothole.default_group)

    def log_at(moment: str, channel: str, service=None) -> None:  # type: ignore[no-untyped-def]
        with time_machine.travel(moment, tick=False):
            log_information_contact(scope, channel=channel, service=service, topic="Question")

    # Chicago is UTC-6 in March before the DST change: 23:30 local on the 2nd is the 3rd in UTC.
    log_at("2026-03-02 09:00 -0600", "phone", pothole)
    log_at("2026-03-02 10:00 -0600", "phone", pothole)
    log_at("2026-03-02 23:30 -0600", "phone", other)
    log_at("2026-03-02 12:00 -0600", "walk_in", None)
    log_at("2026-03-03 08:00 -0600", "email", pothole)
    log_at("2026-03-05 08:00 -0600", "phone", pothole)  # outside the range asked for

    counts = daily_counts(date(2026, 3, 2), date(2026, 3, 3))

    assert counts == [
        DailyCount(date(2026, 3, 2), "phone", pothole.pk, 2),
        DailyCount(date(2026, 3, 2), "phone", other.pk, 1),
        DailyCount(date(2026, 3, 2), "walk_in", None, 1),
        DailyCount(date(2026, 3, 3), "email", pothole.pk, 1),
    ]
    assert daily_counts(date(2026, 3, 4), date(2026, 3, 4)) == []


def test_the_admin_lists_contacts_read_only(client, agent, pothole):
    log_information_contact(scope_of(agent), channel="fax", service=pothole, topic="Form")
    admin = f.administrator("root")  # administrators have two-factor sign-in
    client.force_login(admin)

    listing = client.get("/admin/staff/informationcontact/")
    assert listing.status_code == 200
    assert "Pothole" in listing.content.decode()
    assert client.get("/admin/staff/informationcontact/add/").status_code == 403


def test_contacts_refuse_bad_input_without_a_page(agent, city):
    with pytest.raises(InvalidInput) as refused:
        log_information_contact(scope_of(agent), channel="sms", topic="")
    assert set(refused.value.errors) == {"channel", "topic"}


def test_the_article_the_answer_came_from_is_recorded(client, agent, pothole):
    article = f.ArticleFactory(title_en="Potholes: what happens next", services=[pothole])
    client.force_login(agent)

    page = client.get("/staff/intake/", {"service": "POTHOLE"})
    assert f'<option value="{article.pk}">Potholes: what happens next</option>' in (
        page.content.decode()
    )
    client.post(URL, {"service": "POTHOLE", "channel": "phone", "article": str(article.pk)})

    assert InformationContact.objects.get().article == article


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_an_unknown_article_is_refused(client, agent, pothole, value):
    inactive = f.ArticleFactory(title_en="Old", active=False)
    client.force_login(agent)
    for article in (value, str(inactive.pk)):
        response = client.post(URL, {"service": "POTHOLE", "channel": "phone", "article": article})
        assert "That article is not available any more." in response.content.decode()
    assert InformationContact.objects.count() == 0
