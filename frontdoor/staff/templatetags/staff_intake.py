"""Template helpers for the intake pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from frontdoor.cases import tracking

register = template.Library()


@register.simple_tag
def intake_url(state: Any, **changes: str) -> str:
    """The intake page's URL with some steps changed (``caller=""`` forgets the caller)."""
    return state.url(**{name: str(value or "") for name, value in changes.items()})


@register.filter
def case_url(tracking_number: str) -> str:
    """The staff case page of a request, or "" while the workspace has none (the number
    is then shown as plain text)."""
    try:
        return reverse("staff:case", args=[tracking_number])
    except NoReverseMatch:
        return ""


@register.filter
def tracking_display(tracking_number: str) -> str:
    """A tracking number as it is read out: 4821-7730-15."""
    return tracking.display(tracking_number or "")
