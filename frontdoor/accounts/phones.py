"""Phone numbers as people type them, and the one normalised form used to look them up.

Stored phone numbers keep what the caller gave ("+1 (816) 555-0100"); the workflow accepts
only digits and ``+-(). `` in them. Lookups compare digits only, through the SQL expression
``digits_only`` (the same expression the partial indexes on requests and accounts are built
on, so the database can use them), and treat a leading North American country code "1" as
optional: "816 555 0100" finds "+1 816-555-0100" and the other way round.
"""

from __future__ import annotations

from django.db.models import CharField, F, Func

# Everything the workflow lets through in a phone number besides digits.
SEPARATORS = (" ", "-", "(", ")", ".", "+")
ALLOWED = frozenset("0123456789") | frozenset(SEPARATORS)
MIN_DIGITS = 7
MAX_DIGITS = 15  # ITU E.164


def _strip_separators_sql() -> str:
    sql = "%(expressions)s"
    for separator in SEPARATORS:
        sql = f"REPLACE({sql}, '{separator}', '')"
    return sql


class DigitsOnly(Func):
    """SQL: the column with every separator removed (digits alone for a valid number).

    Nested ``REPLACE`` calls, which SQLite and PostgreSQL both have and both accept in an
    expression index. The separators are literals in the SQL, not parameters: SQLite uses
    an expression index only for a query whose expression is written the same way."""

    arity = 1
    template = _strip_separators_sql()
    output_field = CharField()


def digits_only(field: str) -> DigitsOnly:
    return DigitsOnly(F(field))


def normalise(text: str) -> str | None:
    """The digits of a phone number without a leading "1" country code, or None when
    ``text`` is not a phone number (letters, too few or too many digits)."""
    text = (text or "").strip()
    if not text or any(char not in ALLOWED for char in text):
        return None
    digits = "".join(char for char in text if char.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return None
    return digits


def stored_forms(digits: str) -> list[str]:
    """What ``digits_only`` gives for the numbers that ``normalise`` turned into ``digits``:
    a ten-digit North American number may have been stored with its "+1" or "1"."""
    return [digits, "1" + digits] if len(digits) == 10 else [digits]
