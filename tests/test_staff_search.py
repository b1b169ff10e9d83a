"""Searching requests from the staff queues: tracking numbers in any form, names, e-mail
addresses, phone numbers, addresses and words; bad input never fails."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from frontdoor.cases import workflow
from frontdoor.cases.models import ServiceRequest
from frontdoor.staff.queues import search
from tests.conftest import on_postgres
from tests.staff_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(city):  # type: ignore[no-untyped-def]
    return build_world(city)


@pytest.fixture
def people(w):  # type: ignore[no-untyped-def]
    return {
        "ana": w.file(
            description="Deep pothole by the school crossing",
            address="12 Elm Street",
            contact=workflow.Contact(name="Ana Pérez", email="ana.perez@example.org"),
        ),
        "bob": w.file(
            description="Streetlight flickering at night",
            address="400 Oak Avenue",
            contact=workflow.Contact(name="Robert O'Brien", phone="(816) 555-0123"),
        ),
        "parks": w.file(
            w.grass,
            description="Grass taller than the fence",
            address="9 Maple Court",
            contact=workflow.Contact(name="Carla Gómez", phone="+1 913 555 7788"),
        ),
    }


def found(client, user, text: str, queue: str = "all") -> set[str]:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(f"/staff/queue/{queue}/", {"q": text})
    assert response.status_code == 200, text
    page = response.context["page"]
    return {row.tracking_number for row in page.rows} if page else set()


def test_a_tracking_number_is_found_however_it_is_typed(client, w, people):
    number = people["ana"].tracking_number
    for typed in (
        number,
        f"{number[:4]}-{number[4:8]}-{number[8:]}",
        f"{number[:4]} {number[4:8]} {number[8:]}",
        f"  #{number[:4]}-{number[4:8]}-{number[8:]} ",
        f"{number[:4]}.{number[4:8]}.{number[8:]}",
    ):
        assert found(client, w.agent, typed) == {number}, typed


def test_a_tracking_number_with_a_wrong_digit_finds_nothing_and_says_what_to_check(
    client, w, people
):
    number = people["ana"].tracking_number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert found(client, w.agent, wrong) == set()
    text = client.get("/staff/queue/all/", {"q": wrong}).content.decode()
    assert "A tracking number has ten digits" in text


def test_names_e_mail_phone_address_and_words_are_found(client, w, people):
    ana, bob, parks = (people[k].tracking_number for k in ("ana", "bob", "parks"))
    cases = {
        "ana": {ana},
        "Ana Pérez": {ana},
        "pérez": {ana},
        "ana.perez@example.org": {ana},
        "ANA.PEREZ@EXAMPLE.ORG": {ana},
        "o'brien": {bob},
        "Robert": {bob},
        "(816) 555-0123": {bob},
        "816-555-0123": {bob},
        "8165550123": {bob},
        "+1 816 555 0123": {bob},
        "555-0123": {bob},
        "913.555.7788": {parks},
        "Elm Street": {ana},
        "400": {bob},
        "maple": {parks},
        "pothole": {ana},
        "pot": {ana},  # the beginning of a word
        "school crossing": {ana},
        "flickering night": {bob},
        "pothole night": set(),  # every word must match
        "nothing like this": set(),
    }
    for typed, expected in cases.items():
        assert found(client, w.agent, typed) == expected, typed


def test_search_stays_inside_the_queue(client, w, people):
    # Sam (Streets) searching his groups' queue does not find the Parks request.
    assert found(client, w.sam, "Carla", queue="groups") == set()
    assert found(client, w.pat, "Carla", queue="groups") == {people["parks"].tracking_number}
    assert found(client, w.sam, "Carla", queue="all") == {people["parks"].tracking_number}


@pytest.mark.parametrize(
    "typed",
    [
        "%",
        "%%%",
        "'",
        "''",
        "\\",
        "a & | ! b",
        "!(ana)",
        "ana:*",
        "'ana' & 'pérez'",
        "<->",
        "x" * 500,
        "ana " * 100,
        "😀",
        "a",
        "0",
        "12",
        "-",
        "@",
        "ana\x00",
        "SELECT * FROM cases_servicerequest; --",
        "1" * 10,
        "+",
    ],
)
def test_malformed_input_gives_a_message_or_no_result_never_an_error(client, w, people, typed):
    client.force_login(w.agent)
    response = client.get("/staff/queue/all/", {"q": typed})
    assert response.status_code == 200
    page = response.context["page"]
    rows = page.rows if page else []
    assert len(rows) <= 1


def test_what_cannot_match_is_explained(client, w, people):
    client.force_login(w.agent)
    for typed in ("a", "%%", "@"):
        text = client.get("/staff/queue/all/", {"q": typed}).content.decode()
        assert "a word of at least two letters or digits" in text, typed
    text = client.get("/staff/queue/all/", {"q": "x" * 300}).content.decode()
    assert "Ensure this value has at most 200 characters" in text
    text = client.get("/staff/queue/all/", {"q": "ana\x00"}).content.decode()
    assert "Null characters are not allowed" in text


def test_parse_reads_numbers_phones_and_words():
    assert search.parse("").text == ""
    assert search.parse("  Pothole   by  ").words == ("pothole", "by")
    assert search.parse("(816) 555-0123").phone_digits == "8165550123"
    assert search.parse("+1 816 555 0123").phone_digits == "8165550123"
    assert search.parse("555 0123").phone_digits == "5550123"
    assert search.parse("a").problem
    assert search.parse("o'brien!").words == ("o'brien",)
    assert len(search.parse(" ".join(f"w{i}" for i in range(20))).words) == search.MAX_WORDS


def test_the_migration_indexes_exactly_the_searched_document():
    migration = importlib.import_module("frontdoor.cases.migrations.0008_staff_queues")
    assert search.DOCUMENT_SQL.format(*search.DOCUMENT_FIELDS) == migration.SEARCH_DOCUMENT


@pytest.mark.postgres
def test_postgresql_answers_searches_from_the_text_search_index(w, people):
    assert on_postgres()
    queryset = search.apply(ServiceRequest.objects.all(), search.parse("pothole school"))
    with connection.cursor() as cursor:
        # A handful of rows: make every other way dearer, so the plan shows whether the
        # text search index can answer the query at all (at 1M rows it is the cheap way).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.order_by().query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "req_search_idx" in plan
    assert set(queryset) == {people["ana"]}
