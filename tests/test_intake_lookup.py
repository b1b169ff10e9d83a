"""Phone intake: finding the caller by phone number or e-mail address."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from frontdoor.accounts import phones
from frontdoor.cases import workflow
from frontdoor.staff.intake import callers
from tests import factories as f
from tests.conftest import on_postgres, submit_pothole

pytestmark = pytest.mark.django_db


def file_for(pothole, *, name="Ana Pérez", email="", phone="", user=None, **kwargs):  # type: ignore[no-untyped-def]
    contact = workflow.Contact(user=user, name=name, email=email, phone=phone)
    return submit_pothole(pothole, contact=contact, **kwargs)


@pytest.fixture
def agent(city):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="carmen", first_name="Carmen", is_agent=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("816-555-0100", "8165550100"),
        ("(816) 555 0100", "8165550100"),
        ("+1 816 555 0100", "8165550100"),
        ("1.816.555.0100", "8165550100"),
        ("  8165550100 ", "8165550100"),
        ("+44 20 7946 0958", "442079460958"),
        ("555-0100", "5550100"),
        ("816-55", None),  # five digits
        ("1234567890123456", None),  # sixteen digits
        ("816 555 0100 ext 4", None),
        ("call me", None),
        ("", None),
    ],
)
def test_phone_numbers_are_compared_on_their_digits_without_the_country_code(text, expected):
    assert phones.normalise(text) == expected


@pytest.mark.parametrize(
    "typed", ["8165550100", "816-555-0100", "(816) 555 0100", "+1 816 555 0100", "1-816-555-0100"]
)
@pytest.mark.parametrize("stored", ["+1 (816) 555-0100", "816.555.0100", "18165550100"])
def test_any_way_of_writing_a_phone_number_finds_the_caller(pothole, typed, stored):
    filed = file_for(pothole, phone=stored)

    found = callers.lookup(typed)

    assert [row.pk for row in found.requests] == [filed.pk]
    assert [(c.name, c.phone) for c in found.callers] == [("Ana Pérez", stored)]


def test_e_mail_addresses_match_whatever_their_case(pothole):
    filed = file_for(pothole, email="Ana.Perez@Example.org")

    found = callers.lookup("  ana.perez@EXAMPLE.ORG ")

    assert found.query.kind == "email"
    assert [row.pk for row in found.requests] == [filed.pk]
    assert found.callers[0].email == "Ana.Perez@Example.org"


def test_accounts_are_found_with_the_requests_filed_from_them(pothole):
    rosa = f.UserFactory(
        username="rosa", first_name="Rosa", last_name="Díaz", phone="816 555 0111", language="es"
    )
    from_account = file_for(pothole, user=rosa, name="", email="")  # no phone on the request
    by_phone = file_for(pothole, name="Rosa D.", phone="+1 816-555-0111")

    found = callers.lookup("8165550111")

    assert [row.pk for row in found.requests] == [by_phone.pk, from_account.pk]
    first = found.callers[0]
    assert first.is_account and first.key == f"account:{rosa.pk}"
    assert (first.name, first.language) == ("Rosa Díaz", "es")
    # The differently named contact on the phone request is offered too.
    assert [c.name for c in found.callers[1:]] == ["Rosa D."]


def test_another_callers_requests_are_never_shown(pothole):
    mine = file_for(pothole, name="Ana", phone="816-555-0100", email="ana@example.org")
    file_for(pothole, name="Ben", phone="816-555-0101", email="xana@example.org")
    file_for(pothole, name="Cy", phone="816-555-01000", email="ana@example.org.uk")
    file_for(pothole, name="Dee", phone="", email="")
    f.UserFactory(username="eve", phone="816 555 0102", email="ana@example.org.evil")

    for text in ("816 555 0100", "ana@example.org"):
        found = callers.lookup(text)
        assert [row.pk for row in found.requests] == [mine.pk]
        assert [c.name for c in found.callers] == ["Ana"]


def test_a_frequent_caller_gets_a_bounded_list_newest_first(pothole, django_assert_max_num_queries):
    import time_machine

    filed = []
    for day in range(1, 16):
        with time_machine.travel(f"2026-03-{day:02d} 10:00 -0500", tick=False):
            filed.append(file_for(pothole, phone="816-555-0100").pk)

    with django_assert_max_num_queries(2):  # accounts, requests (no account matched)
        found = callers.lookup("816-555-0100")

    assert [row.pk for row in found.requests] == filed[::-1][: callers.MAX_REQUESTS]
    assert len(found.callers) == 1  # the same person every time


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "816-55", "ana@", "@example.org", "ana@example", "x" * 300 + "@a.org"],
)
def test_malformed_input_is_refused_with_a_message(city, text):
    with pytest.raises(ValueError) as refused:
        callers.lookup(text)
    assert str(refused.value)


def test_a_caller_key_finds_the_same_person_again(pothole):
    rosa = f.UserFactory(username="rosa", first_name="Rosa", phone="816 555 0111")
    filed = file_for(pothole, name="Ana", phone="816-555-0100")
    inactive = f.UserFactory(username="gone", is_active=False)

    assert callers.resolve(f"account:{rosa.pk}").account == rosa
    assert callers.resolve(f"request:{filed.tracking_number}").name == "Ana"
    for key in (
        "",
        "account:",
        f"account:{inactive.pk}",
        "account:9999",
        "account:1e3",
        "request:123",
        "request:" + "1" * 10,
        "nobody:1",
    ):
        assert callers.resolve(key) is None


def plan_of(queryset) -> str:  # type: ignore[no-untyped-def]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if on_postgres():
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row) for row in cursor.fetchall())


def uses_index(queryset, name: str) -> bool:  # type: ignore[no-untyped-def]
    plan = plan_of(queryset)
    # SQLite: a SEARCH (not a SCAN of the whole index); PostgreSQL: an index or bitmap scan.
    return f"INDEX {name} (" in plan if not on_postgres() else f" {name}" in plan


def test_lookups_search_the_partial_contact_indexes(city):
    """A million requests stay fast only if the lookup's WHERE matches the indexes."""
    for text, index in (
        ("816-555-0100", "req_contact_phone_idx"),
        ("A@b.org", "req_contact_email_idx"),
    ):
        matching = callers._matching_requests(callers.parse(text))
        assert uses_index(matching.order_by("-requested_at", "-pk")[:50], index)
    accounts = callers.User.objects.alias(d=phones.digits_only("phone"))
    assert uses_index(accounts.filter(d__in=["8165550100"]).exclude(phone=""), "user_phone_idx")


# --- The lookup on the page ---------------------------------------------------------------


def test_the_page_lists_callers_and_their_requests_and_picks_one(client, pothole, agent):
    filed = file_for(pothole, name="Ana Pérez", phone="816-555-0100", email="ana@example.org")
    client.force_login(agent)

    page = client.get(reverse("staff:intake"), {"lookup": "(816) 555-0100"})

    html = page.content.decode()
    assert page.status_code == 200
    assert filed.display_number in html and "Pothole" in html and "New" in html
    key = f"request:{filed.tracking_number}"
    assert f"caller={key.replace(':', '%3A')}" in html

    picked = client.get(
        reverse("staff:intake"), {"lookup": "(816) 555-0100", "caller": key, "service": "POTHOLE"}
    )
    form = picked.context["form"]
    assert form.values["name"] == "Ana Pérez"
    assert form.values["email"] == "ana@example.org"
    assert form.values["phone"] == "816-555-0100"
    assert picked.context["focus"] == "id_answer_size"  # the caller is known: on to questions


def test_no_match_goes_on_with_a_new_caller_and_keeps_the_number(client, pothole, agent):
    client.force_login(agent)

    page = client.get(reverse("staff:intake"), {"lookup": "816 555 0199"})
    assert "No account or earlier request has this phone number" in page.content.decode()
    assert page.context["focus"] == "id_q"

    chosen = client.get(reverse("staff:intake"), {"lookup": "816 555 0199", "service": "POTHOLE"})
    assert chosen.context["form"].values["phone"] == "816 555 0199"
    assert chosen.context["focus"] == "id_name"


def test_malformed_lookup_on_the_page_says_why(client, city, agent):
    client.force_login(agent)

    page = client.get(reverse("staff:intake"), {"lookup": "call me maybe"})

    assert page.status_code == 200
    assert "is neither a phone number" in page.content.decode()
    assert page.context["focus"] == "id_lookup"
