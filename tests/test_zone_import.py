"""Zones come from GeoJSON files; a bad file is refused whole with the reasons."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from frontdoor.catalogue.models import City, Zone
from tests import factories as f

pytestmark = pytest.mark.django_db


def feature(code: str, kind: str | None, geometry: dict, name: object = None) -> dict:
    properties = {"code": code, "name": name or code}
    if kind:
        properties["kind"] = kind
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(tmp_path, features: list[dict]) -> str:
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path)


def test_import_creates_then_updates_zones_and_sets_the_boundary(tmp_path, city, capsys):
    path = write(
        tmp_path,
        [
            feature("CITY", "boundary", f.CITY_SQUARE),
            feature("W1", "ward", f.WEST_HALF, {"en": "Ward 1", "es": "Distrito 1"}),
            feature("E1", None, f.EAST_HALF),
        ],
    )
    call_command("import_zones", path, kind="crew area")
    assert "created: 2" in capsys.readouterr().out
    west = Zone.objects.get(code="W1")
    assert (west.kind, west.name_en, west.name_es) == ("ward", "Ward 1", "Distrito 1")
    assert Zone.objects.get(code="E1").kind == "crew_area"
    assert City.current().covers(*f.WEST_POINT)
    call_command("import_zones", path, kind="crew_area")
    assert "created: 0, updated: 2" in capsys.readouterr().out
    assert Zone.objects.count() == 2


def test_one_bad_feature_rejects_the_whole_file(tmp_path, city):
    path = write(
        tmp_path,
        [
            feature("W1", "ward", f.WEST_HALF),
            feature("W2", "ward", {"type": "Point", "coordinates": [-94.2, 38.9]}),
            feature("", "ward", f.EAST_HALF),
            feature("W4", "galaxy", f.EAST_HALF),
        ],
    )
    with pytest.raises(CommandError) as raised:
        call_command("import_zones", path)
    message = str(raised.value)
    assert "feature 2 (W2)" in message and "Polygon or MultiPolygon" in message
    assert "feature 3: no 'code'" in message
    assert "unknown kind 'galaxy'" in message
    assert not Zone.objects.exists()


@pytest.mark.parametrize("content", ["not json", json.dumps({"type": "Feature"}), ""])
def test_unreadable_files_are_refused(tmp_path, city, content):
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(CommandError):
        call_command("import_zones", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_zones", str(tmp_path / "missing.geojson"))
    assert not Zone.objects.exists()
