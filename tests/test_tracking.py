"""Tracking numbers: what residents read out and type back, and the typos caught before any
look-up."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from frontdoor.cases import tracking

# Bodies of valid numbers: nine digits, no leading zero.
BODIES = st.integers(min_value=10**8, max_value=10**9 - 1).map(str)


def valid(body: str) -> str:
    return body + tracking.luhn_check_digit(body)


def single_digit_typos(number: str) -> list[str]:
    return [
        number[:i] + digit + number[i + 1 :]
        for i in range(len(number))
        for digit in "0123456789"
        if digit != number[i]
    ]


def neighbour_swaps(number: str) -> list[str]:
    return [
        number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        for i in range(len(number) - 1)
        if number[i] != number[i + 1]
    ]


def test_check_digit_is_the_standard_luhn_digit():
    # The textbook example: 7992739871 has Luhn check digit 3.
    assert tracking.luhn_check_digit("7992739871") == "3"
    assert tracking.luhn_check_digit("482177301") == "9"
    assert tracking.is_valid("4821773019")
    assert not tracking.is_valid("4821773018")
    assert tracking.luhn_check_digit("082177301") == "7"


def test_generated_numbers_are_ten_valid_digits_without_leading_zero():
    for _ in range(2000):
        number = tracking.generate()
        assert re.fullmatch(r"[1-9][0-9]{9}", number), number
        assert tracking.is_valid(number)


def test_generated_numbers_do_not_repeat_in_practice():
    numbers = [tracking.generate() for _ in range(10_000)]
    # Drawn from ~750 million numbers: a repeat among 10,000 happens about once in 15 runs
    # (the birthday problem; submission retries on one), four repeats about once in a
    # million runs. A generator with little randomness repeats thousands of times.
    assert len(set(numbers)) >= len(numbers) - 3


def test_display_groups_four_four_two():
    assert tracking.display("4821773019") == "4821-7730-19"
    number = tracking.generate()
    shown = tracking.display(number)
    assert re.fullmatch(r"\d{4}-\d{4}-\d{2}", shown)
    assert shown.replace("-", "") == number


@pytest.mark.parametrize(
    "typed",
    [
        "4821773019",
        "4821 7730 19",
        "4821-7730-19",
        "#4821-7730-19",
        "  4821.7730.19 ",
        "4821/7730/19",
        "4821\t7730\n19",
        "# 4821 - 7730 - 19",
    ],
)
def test_normalise_accepts_what_people_type(typed):
    assert tracking.normalise(typed) == "4821773019"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "4821773018",  # wrong check digit
        "482177301",  # nine digits
        "48217730190",  # eleven digits
        "0821773017",  # leading zero, although the check digit is right
        "4821773O19",  # letter O for zero
        "4821_7730_19",  # underscores are not separators
        "4821773019x",
        "４８２１７７３０１９",  # full-width digits
        "²821773019",  # superscript two: isdigit() is true, int() fails
        "٤٨٢١٧٧٣٠١٩",  # Arabic-Indic digits
    ],
)
def test_normalise_rejects_anything_else(typed):
    assert tracking.normalise(typed) is None


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_every_single_digit_typo_is_caught(body):
    number = valid(body)
    assert tracking.is_valid(number)
    for typo in single_digit_typos(number):
        assert not tracking.is_valid(typo), f"{typo} passes for {number}"
        assert tracking.normalise(tracking.display(typo)) is None


# A body whose number has neither "09" nor "90": generate() accepts it at once.
SAFE_BODY = 111111111


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=9 * 10**8 - 1), min_size=1, max_size=10))
@example([309123456 - 10**8])  # 3091234561: swapping its "09" keeps the Luhn sum
def test_every_neighbour_swap_of_an_issued_number_is_caught(draws):
    # generate() draws from secrets; here Hypothesis chooses what the draws are.
    feed = iter(draws)
    with mock.patch.object(
        tracking.secrets, "randbelow", side_effect=lambda _n: next(feed, SAFE_BODY - 10**8)
    ):
        number = tracking.generate()
    assert tracking.is_valid(number)
    for swapped in neighbour_swaps(number):
        assert not tracking.is_valid(swapped), f"{swapped} passes for {number}"
    for typo in single_digit_typos(number):
        assert not tracking.is_valid(typo)
