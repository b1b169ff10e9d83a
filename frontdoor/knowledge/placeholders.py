"""Placeholders in canned responses: ``{tracking_number}``, ``{resident_name}``,
``{service}`` and ``{city}``.

Templates are checked when saved (:func:`problems`), and filled by :func:`fill`, which
never fails: whatever a stored text holds, an unknown placeholder or a stray brace is
dropped rather than shown to a resident, and values are inserted as they are (a value is
never read as a template itself).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

PLACEHOLDERS = ("tracking_number", "resident_name", "service", "city")

# A {name} placeholder, or a brace that belongs to none.
_TOKEN = re.compile(r"\{([^{}]*)\}|[{}]")


def _name(raw: str) -> str:
    return raw.strip().lower()


def problems(text: str | None) -> list[str]:
    """What is wrong with the placeholders of ``text``, in the active language."""
    messages: list[str] = []
    unknown: list[str] = []
    stray = False
    for match in _TOKEN.finditer(text or ""):
        if match.group(1) is None:
            stray = True
        elif _name(match.group(1)) not in PLACEHOLDERS and match.group(1) not in unknown:
            unknown.append(match.group(1))
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for raw in unknown:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        messages.append(
            _("Unknown placeholder {%(name)s}. You can use %(allowed)s.")
            % {"name": shown, "allowed": allowed}
        )
    if stray:
        messages.append(
            _(
                "A brace is not part of a placeholder: write placeholders as {service}, "
                "with one opening and one closing brace, and use no other braces."
            )
        )
    return messages


def fill(text: str | None, values: dict[str, str]) -> str:
    """``text`` with each known placeholder replaced by its value; anything else in braces,
    and any stray brace, removed."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return ""
        return values.get(_name(match.group(1)), "")

    return _TOKEN.sub(replace, text or "")
