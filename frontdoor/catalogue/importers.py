"""Import zones (and the city boundary) from a GeoJSON FeatureCollection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from frontdoor.catalogue import geo
from frontdoor.catalogue.models import City, Zone

KIND_ALIASES = {"crew area": "crew_area", "crew": "crew_area", "neighborhood": "neighbourhood"}


def import_zones(source: Path | str | dict[str, Any], *, default_kind: str | None = None) -> dict:
    """Create or update zones by code. A feature of kind "boundary" sets the city outline.

    Feature properties: code (required), name (text or {"en": ..., "es": ...}), kind.
    Every feature is checked before anything is written; one bad feature rejects the file.
    """
    data = source if isinstance(source, dict) else json.loads(Path(source).read_text("utf-8"))
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValidationError("The file must be a GeoJSON FeatureCollection.")
    parsed = []
    errors = []
    for index, feature in enumerate(data["features"], start=1):
        props = feature.get("properties") or {}
        code = str(props.get("code") or "").strip()
        kind = str(props.get("kind") or default_kind or "").strip().lower()
        kind = KIND_ALIASES.get(kind, kind)
        if not code:
            errors.append(f"feature {index}: no 'code' property")
            continue
        if kind != "boundary" and kind not in Zone.Kind.values:
            errors.append(f"feature {index} ({code}): unknown kind {kind!r}")
            continue
        try:
            shape = geo.parse_polygon(feature.get("geometry"))
        except ValidationError as exc:
            errors.append(f"feature {index} ({code}): {' '.join(exc.messages)}")
            continue
        name = props.get("name") or code
        names = name if isinstance(name, dict) else {"en": str(name)}
        parsed.append((code, kind, names, geo.to_geojson(shape)))
    if errors:
        raise ValidationError(errors)
    created = updated = 0
    with transaction.atomic():
        for code, kind, names, geometry in parsed:
            if kind == "boundary":
                city = City.current()
                city.geometry, city.min_lat = geometry, None
                city.save()
                continue
            zone = Zone.objects.filter(code=code).first() or Zone(code=code)
            created += zone.pk is None
            updated += zone.pk is not None
            zone.kind = kind
            zone.geometry, zone.min_lat = geometry, None
            for language, text in names.items():
                if hasattr(zone, f"name_{language}"):
                    setattr(zone, f"name_{language}", str(text)[:120])
            zone.name = zone.name or names.get("en") or code
            zone.save()
    return {"created": created, "updated": updated}
