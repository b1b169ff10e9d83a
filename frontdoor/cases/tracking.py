"""Tracking numbers: ten digits, read out as three groups, the last digit a Luhn check.

Digits alone read clearly over the phone in English and Spanish (no b/v, m/n letters),
the random part cannot be enumerated, and the check digit catches a mistyped digit or a
swap of neighbours before any look-up.
"""

from __future__ import annotations

import re
import secrets

LENGTH = 10
_NON_DIGITS = re.compile(r"[\s\-./#]")


def luhn_check_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid(number: str) -> bool:
    return (
        len(number) == LENGTH
        # isdigit() alone accepts "²" or "٣", on which int() fails or which never match.
        and number.isascii()
        and number.isdigit()
        and number[0] != "0"
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def generate() -> str:
    while True:
        body = str(secrets.randbelow(9 * 10 ** (LENGTH - 2)) + 10 ** (LENGTH - 2))
        number = body + luhn_check_digit(body)
        # Luhn misses exactly one swap of neighbours, 09 <-> 90: never issue a number
        # where that swap could happen, so every neighbour swap is caught.
        if "09" not in number and "90" not in number:
            return number


def normalise(text: str) -> str | None:
    """The stored form of what someone typed ("4821 7730 15", "#4821-7730-15"), or None."""
    cleaned = _NON_DIGITS.sub("", text or "")
    return cleaned if is_valid(cleaned) else None


def display(number: str) -> str:
    return f"{number[:4]}-{number[4:8]}-{number[8:]}"
