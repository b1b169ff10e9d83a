"""Shared pieces of the portal tests: a valid report's form data and photo uploads."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories as f
from tests.test_images import camera_exif


def report_data(**overrides: Any) -> dict[str, Any]:
    """Every datatype of the ``pothole`` fixture answered, at a point inside the city."""
    data: dict[str, Any] = {
        "q_size": "large",
        "q_depth_cm": "12,000",
        "q_seen_at": "2026-03-01T14:30",
        "q_landmark": "  Lincoln   school  ",
        "q_details": "Two holes\r\nnext to each other",
        "q_lanes": ["left", "bike"],
        "description": "Deep hole by the school crossing",
        "lat": str(f.WEST_POINT[0]),
        "long": str(f.WEST_POINT[1]),
        "address": "",
        "name": "Ana Pérez",
        "email": "ana@example.org",
        "phone": "",
        "contact_preference": "email",
        "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def jpeg(name: str = "hole.jpg", *, gps: bool = False, size: tuple[int, int] = (64, 48)) -> Any:
    image = Image.new("RGB", size, (120, 90, 60))
    out = io.BytesIO()
    if gps:
        image.save(out, "JPEG", exif=camera_exif())
    else:
        image.save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
