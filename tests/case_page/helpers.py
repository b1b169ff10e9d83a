"""Helpers for the case page tests: photos, URLs, the state a refusal must leave alone."""

from __future__ import annotations

import io
import os
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from frontdoor.cases.models import Event, ServiceRequest

HTMX = {"HX-Request": "true"}


def photo(name: str = "spot.png", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    """A PNG of random pixels (so its size on disk grows with its size in pixels)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def case_url(req: ServiceRequest) -> str:
    return reverse("staff:case", args=[req.tracking_number])


def action_url(req: ServiceRequest, action: str) -> str:
    return reverse("staff:case_action", args=[req.tracking_number, action])


def state(req: ServiceRequest) -> tuple[Any, ...]:
    """What must not change when an action is refused."""
    fresh = ServiceRequest.objects.get(pk=req.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.assignee_id,
        fresh.group_id,
        fresh.priority,
        Event.objects.filter(request=req).count(),
        fresh.attachments.count(),
    )
