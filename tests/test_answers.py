"""Answers to a service's questions: every datatype's valid and invalid input, normalised to
the stored form, with every problem reported at once under "answers.<code>"."""

from __future__ import annotations

import pytest

from frontdoor.cases.answers import validate_answers
from frontdoor.cases.errors import InvalidInput
from frontdoor.catalogue.models import Question, Service

pytestmark = pytest.mark.django_db

CHICAGO = "America/Chicago"
ENTER_A_NUMBER = "Enter a number."
ENTER_A_DATETIME = "Enter a date and time, e.g. 2026-03-01T14:30."


def answers(service: Service, raw: dict[str, object], tz: str = CHICAGO) -> dict[str, object]:
    return validate_answers(service, raw, tz)


def errors(service: Service, raw: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as excinfo:
        validate_answers(service, raw, CHICAGO)
    return excinfo.value.errors


def only_error(service: Service, code: str, value: object) -> list[str]:
    """Messages for ``code``, asserting no other field is blamed."""
    found = errors(service, {"size": "small", code: value})
    assert set(found) == {f"answers.{code}"}
    return found[f"answers.{code}"]


def test_a_complete_form_is_normalised_to_the_stored_form(pothole):
    cleaned = answers(
        pothole,
        {
            "size": " large ",
            "depth_cm": "12",
            "seen_at": "2026-03-01T14:30",
            "landmark": "  Near   the\nschool\t gate ",
            "details": "First line\r\nSecond line  \n",
            "lanes": ["left", "bike"],
        },
    )
    assert cleaned == {
        "size": "large",
        "depth_cm": 12,
        "seen_at": "2026-03-01T20:30:00Z",
        "landmark": "Near the school gate",
        "details": "First line\nSecond line",
        "lanes": ["left", "bike"],
    }


def test_optional_questions_left_blank_are_left_out(pothole):
    cleaned = answers(
        pothole,
        {"size": "small", "depth_cm": "", "seen_at": "  ", "lanes": [], "details": None},
    )
    assert cleaned == {"size": "small"}


# --- Required and unknown ---------------------------------------------------------------


@pytest.mark.parametrize("blank", [None, "", "   ", [], [""], ["  ", ""]])
def test_a_required_question_left_blank_is_reported(pothole, blank):
    raw = {} if blank is None else {"size": blank}
    assert errors(pothole, raw) == {"answers.size": ["Please answer: How big is it?"]}


def test_an_unknown_question_code_is_reported(pothole):
    assert errors(pothole, {"size": "small", "colour": "red"}) == {
        "answers.colour": ["“colour” is not a question of this service."]
    }


def test_a_question_of_another_service_is_unknown_here(pothole):
    from tests import factories as f

    other = f.ServiceFactory(code="GRAFFITI", default_group=pothole.default_group)
    f.QuestionFactory(service=other, code="surface", order=1)
    found = errors(pothole, {"size": "small", "surface": "brick"})
    assert found == {"answers.surface": ["“surface” is not a question of this service."]}


def test_an_inactive_question_is_neither_asked_nor_accepted(pothole):
    assert answers(pothole, {"size": "small", "landmark": "school"})  # questions now cached
    for question in pothole.questions.filter(code__in=["size", "landmark"]):
        question.active = False
        question.save()
    assert answers(pothole, {}) == {}
    assert errors(pothole, {"landmark": "school"}) == {
        "answers.landmark": ["“landmark” is not a question of this service."]
    }


def test_informational_notice_input_is_ignored(pothole):
    assert answers(pothole, {"size": "small", "notice": "I have read this"}) == {"size": "small"}


# --- Numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("12.5", 12.5),
        ("-3", -3),
        ("1e3", 1000),
        ("1,200", 1200),
        ("1,200.5", 1200.5),
        (15, 15),
        (2.25, 2.25),
        (["30"], 30),
    ],
)
def test_numbers_are_stored_as_numbers(pothole, raw, expected):
    stored = answers(pothole, {"size": "small", "depth_cm": raw})["depth_cm"]
    assert stored == expected
    assert type(stored) is type(expected)


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        "1e400",  # overflows to infinity
        "1e13",  # larger than any plausible measurement
        "12,5",  # Spanish decimal comma: not silently 125
        "1,2,3",
        "12 cm",
        True,
    ],
)
def test_anything_but_a_finite_number_is_rejected(pothole, raw):
    assert only_error(pothole, "depth_cm", raw) == [ENTER_A_NUMBER]


def test_a_number_question_takes_only_one_value(pothole):
    assert only_error(pothole, "depth_cm", ["3", "4"]) == ["Choose exactly one option."]


# --- Date and time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2026-03-01T14:30", "2026-03-01T20:30:00Z"),  # city local time, CST
        ("2026-07-01T14:30", "2026-07-01T19:30:00Z"),  # city local time, CDT
        ("2026-03-01 14:30:15.250", "2026-03-01T20:30:15Z"),
        ("2026-03-01T14:30:00+01:00", "2026-03-01T13:30:00Z"),
        ("2026-03-01T14:30:00-05:00", "2026-03-01T19:30:00Z"),
        ("2026-03-01T14:30:00Z", "2026-03-01T14:30:00Z"),
        ("2026-03-01T14:30:00z", "2026-03-01T14:30:00Z"),
    ],
)
def test_datetimes_are_stored_in_utc(pothole, raw, stored):
    assert answers(pothole, {"size": "small", "seen_at": raw})["seen_at"] == stored


def test_a_datetime_without_zone_is_in_the_given_city_time_zone(pothole):
    cleaned = answers(pothole, {"size": "small", "seen_at": "2026-03-01T14:30"}, tz="Europe/Madrid")
    assert cleaned["seen_at"] == "2026-03-01T13:30:00Z"


@pytest.mark.parametrize(
    "raw",
    [
        "yesterday",
        "2026-13-01T10:00",
        "2026-02-30T10:00",
        "2026-03-01T25:00",
        "14:30",
        "9999-12-31T23:59",  # local time that is past the year 9999 in UTC
        "0001-01-01T00:30+01:00",
        12345,
    ],
)
def test_anything_but_a_date_and_time_is_rejected(pothole, raw):
    assert only_error(pothole, "seen_at", raw) == [ENTER_A_DATETIME]


# --- Pick one and pick any --------------------------------------------------------------


@pytest.mark.parametrize("raw", ["medium", " medium ", ["medium"], ["", "medium"]])
def test_single_choice_accepts_one_known_key(pothole, raw):
    assert answers(pothole, {"size": raw}) == {"size": "medium"}


def test_single_choice_rejects_a_key_not_in_the_list(pothole):
    assert errors(pothole, {"size": "huge"}) == {
        "answers.size": ["“huge” is not one of the options."]
    }
    # Keys are exact: the label is not the key.
    assert errors(pothole, {"size": "Medium"}) == {
        "answers.size": ["“Medium” is not one of the options."]
    }


def test_single_choice_rejects_two_keys(pothole):
    assert errors(pothole, {"size": ["small", "large"]}) == {
        "answers.size": ["Choose exactly one option."]
    }


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (["left", "right"], ["left", "right"]),
        (("bike",), ["bike"]),
        (["right", "left", "right"], ["right", "left"]),  # a form field sent twice
        ("left,bike", ["left", "bike"]),
        (" left , bike ,", ["left", "bike"]),
        ("right", ["right"]),
    ],
)
def test_multiple_choice_as_list_repeated_values_or_comma_string(pothole, raw, stored):
    assert answers(pothole, {"size": "small", "lanes": raw})["lanes"] == stored


@pytest.mark.parametrize(
    ("raw", "named"),
    [(["left", "tram"], "tram"), ("left,tram,bus", "tram, bus"), ("Left", "Left")],
)
def test_multiple_choice_rejects_unknown_keys_naming_them(pothole, raw, named):
    assert only_error(pothole, "lanes", raw) == [f"“{named}” is not one of the options."]


# --- Text -------------------------------------------------------------------------------


def test_short_text_is_one_line_and_at_most_500_characters(pothole):
    stored = answers(pothole, {"size": "small", "landmark": "Corner of\r\n5th\x00 and Main"})
    assert stored["landmark"] == "Corner of 5th and Main"
    assert answers(pothole, {"size": "small", "landmark": "x" * 500})["landmark"] == "x" * 500
    assert only_error(pothole, "landmark", "x" * 501) == [
        "This is 501 characters long; the limit is 500."
    ]


def test_long_text_keeps_lines_and_is_at_most_4000_characters(pothole):
    stored = answers(pothole, {"size": "small", "details": "  one\r\ntwo\n\nthree\x00  "})
    assert stored["details"] == "one\ntwo\n\nthree"
    assert answers(pothole, {"size": "small", "details": "y" * 4000})["details"] == "y" * 4000
    assert only_error(pothole, "details", "y" * 4001) == [
        "This is 4001 characters long; the limit is 4000."
    ]


def test_text_that_is_only_nul_characters_counts_as_blank_and_is_left_out(pothole):
    assert answers(pothole, {"size": "small", "landmark": "\x00\x00"}) == {"size": "small"}


# --- Everything at once -----------------------------------------------------------------


def test_all_problems_are_reported_together(pothole):
    found = errors(
        pothole,
        {
            "depth_cm": "abc",
            "seen_at": "garbage",
            "landmark": "z" * 501,
            "details": "z" * 4001,
            "lanes": ["tram"],
            "colour": "red",
            "notice": "ignored, not an error",
        },
    )
    assert found == {
        "answers.size": ["Please answer: How big is it?"],
        "answers.depth_cm": [ENTER_A_NUMBER],
        "answers.seen_at": [ENTER_A_DATETIME],
        "answers.landmark": ["This is 501 characters long; the limit is 500."],
        "answers.details": ["This is 4001 characters long; the limit is 4000."],
        "answers.lanes": ["“tram” is not one of the options."],
        "answers.colour": ["“colour” is not a question of this service."],
    }


def test_the_error_reads_as_a_sentence_per_field(pothole):
    with pytest.raises(InvalidInput) as excinfo:
        validate_answers(pothole, {"depth_cm": "abc"}, CHICAGO)
    text = str(excinfo.value)
    assert "answers.size: Please answer: How big is it?" in text
    assert "answers.depth_cm: Enter a number." in text


def test_every_datatype_is_covered_by_the_fixture(pothole):
    # Guards the tests above: if a datatype is added, this file needs cases for it.
    datatypes = set(pothole.questions.values_list("datatype", flat=True))
    assert datatypes == set(Question.Datatype.values)
