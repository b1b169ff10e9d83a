"""Zone and city polygons: what an administrator may enter (and the reason when not), and
point-in-zone answers that follow edits."""

from __future__ import annotations

import json
import math

import pytest
from django.core.exceptions import ValidationError

from frontdoor.catalogue import geo
from frontdoor.catalogue.models import City, Zone
from tests import factories as f

pytestmark = pytest.mark.django_db

SQUARE_RING = [[-94.3, 38.9], [-94.2, 38.9], [-94.2, 39.0], [-94.3, 39.0], [-94.3, 38.9]]
# Two triangles that split the same square along its diagonal: same bounding box.
LOWER_LEFT = {
    "type": "Polygon",
    "coordinates": [[[-94.3, 38.9], [-94.2, 38.9], [-94.3, 39.0], [-94.3, 38.9]]],
}
UPPER_RIGHT = {
    "type": "Polygon",
    "coordinates": [[[-94.2, 38.9], [-94.2, 39.0], [-94.3, 39.0], [-94.2, 38.9]]],
}
NEAR_SW_CORNER = (38.91, -94.29)  # inside LOWER_LEFT only
NEAR_NE_CORNER = (38.99, -94.21)  # inside UPPER_RIGHT only


def zone_with(geometry: object) -> Zone:
    return Zone(code="WARD-1", name="Ward 1", kind=Zone.Kind.WARD, geometry=geometry)


def geometry_errors(geometry: object) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        zone_with(geometry).full_clean()
    return excinfo.value.message_dict["geometry"]


def polygon(ring: list[list[float]]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [ring]}


def square(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


# --- What a zone may be -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (
            {"type": "Point", "coordinates": [-94.25, 38.95]},
            "The geometry is a Point; a zone must be a Polygon or MultiPolygon.",
        ),
        (
            {"type": "LineString", "coordinates": SQUARE_RING[:2]},
            "The geometry is a LineString; a zone must be a Polygon or MultiPolygon.",
        ),
        (
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-94.25, 38.95]}},
            "The geometry is a Point; a zone must be a Polygon or MultiPolygon.",
        ),
        (
            {"type": "FeatureCollection", "features": []},
            "The geometry is a FeatureCollection; a zone must be a Polygon or MultiPolygon.",
        ),
        (
            {"type": "Feature", "geometry": None},
            "The geometry is a (missing type); a zone must be a Polygon or MultiPolygon.",
        ),
        ({"coordinates": [SQUARE_RING]}, "The geometry is a (missing type)"),
        ({"type": ["Polygon"], "coordinates": [SQUARE_RING]}, "a zone must be a Polygon"),
        ({"type": "Feature", "geometry": "POLYGON ((...))"}, "Expected a GeoJSON Polygon"),
        ([SQUARE_RING], "Expected a GeoJSON Polygon or MultiPolygon object."),
        ("{not json", "This is not valid JSON."),
    ],
)
def test_zone_must_be_a_polygon(geometry, message):
    assert any(message in error for error in geometry_errors(geometry))


@pytest.mark.parametrize(
    "coordinates",
    [
        "abc",
        [SQUARE_RING[:2]],  # too few points for a ring
        SQUARE_RING,  # one level of nesting missing
        [[[-94.3], [-94.2], [-94.2], [-94.3]]],  # longitude only
        [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]],
        [[[math.nan, 38.9], [-94.2, 38.9], [-94.2, 39.0], [-94.3, 38.9]]],  # NaN, unclosed
    ],
)
def test_malformed_coordinates_are_rejected(coordinates):
    assert geometry_errors({"type": "Polygon", "coordinates": coordinates}) == [
        "The polygon's coordinates are malformed."
    ]


def test_malformed_coordinates_in_one_part_of_a_multipolygon_are_rejected():
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE_RING], "oops"]}
    assert geometry_errors(multi) == ["The polygon's coordinates are malformed."]


def test_nan_pasted_as_json_text_is_rejected_not_a_crash():
    text = '{"type": "Polygon", "coordinates": [[[NaN, 38.9], [-94.2, 38.9], [-94.2, 39.0]]]}'
    assert geometry_errors(text) == ["The polygon's coordinates are malformed."]


@pytest.mark.parametrize("coordinates", [[], None])
def test_an_empty_polygon_is_rejected(coordinates):
    assert geometry_errors({"type": "Polygon", "coordinates": coordinates}) == [
        "The polygon is empty."
    ]


def test_a_self_intersecting_bow_tie_is_rejected_with_where_it_crosses():
    bow_tie = polygon([[-94.3, 38.9], [-94.2, 39.0], [-94.2, 38.9], [-94.3, 39.0], [-94.3, 38.9]])
    (message,) = geometry_errors(bow_tie)
    assert message.startswith("The polygon is not valid: Self-intersection")
    assert "-94.25 38.95" in message


def test_overlapping_parts_of_a_multipolygon_are_rejected():
    overlapping = {
        "type": "MultiPolygon",
        "coordinates": [[square(-94.3, 38.9, -94.2, 39.0)], [square(-94.25, 38.9, -94.1, 39.0)]],
    }
    (message,) = geometry_errors(overlapping)
    assert message.startswith("The polygon is not valid:")


@pytest.mark.parametrize(
    "ring",
    [
        [[lat, lon] for lon, lat in SQUARE_RING],  # latitude first: -94 is no latitude
        square(-200.0, 38.9, -199.0, 39.0),
        square(-94.3, 89.5, -94.2, 90.5),
    ],
    ids=["lat-lon-swapped", "longitude-out-of-range", "latitude-out-of-range"],
)
def test_coordinates_outside_wgs84_degrees_are_rejected(ring):
    assert geometry_errors(polygon(ring)) == [
        "Coordinates must be longitude, latitude in degrees (WGS84), in that order."
    ]


def test_a_zone_needs_a_polygon():
    for missing in (None, ""):
        assert geometry_errors(missing) == ["A zone needs a polygon."]


def test_a_feature_wrapping_a_polygon_is_stored_as_the_polygon_with_its_box():
    zone = zone_with({"type": "Feature", "properties": {"name": "Ward 1"}, "geometry": f.WEST_HALF})
    zone.full_clean()
    assert zone.geometry["type"] == "Polygon"
    assert "properties" not in zone.geometry
    assert (zone.min_lat, zone.max_lat) == pytest.approx((38.9, 39.0))
    assert (zone.min_lon, zone.max_lon) == pytest.approx((-94.3, -94.25))


def test_a_multipolygon_is_accepted_with_a_box_around_all_parts():
    zone = zone_with(
        {
            "type": "MultiPolygon",
            "coordinates": [
                [square(-94.3, 38.9, -94.28, 38.92)],
                [square(-94.22, 38.98, -94.2, 39.0)],
            ],
        }
    )
    zone.full_clean()
    assert zone.geometry["type"] == "MultiPolygon"
    assert (zone.min_lat, zone.max_lat, zone.min_lon, zone.max_lon) == pytest.approx(
        (38.9, 39.0, -94.3, -94.2)
    )


def test_geojson_text_is_accepted_and_stored_as_json():
    zone = zone_with(json.dumps(f.EAST_HALF))
    zone.full_clean()
    assert isinstance(zone.geometry, dict)
    assert zone.geometry["type"] == "Polygon"


def test_an_unclosed_ring_is_closed():
    zone = zone_with(polygon(SQUARE_RING[:-1]))
    zone.full_clean()
    ring = zone.geometry["coordinates"][0]
    assert ring[0] == ring[-1]


def test_city_boundary_is_checked_the_same_way():
    city = City(name="Testville", time_zone="America/Chicago", geometry=polygon(SQUARE_RING[:2]))
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    assert excinfo.value.message_dict["geometry"] == ["The polygon's coordinates are malformed."]

    city.geometry = {"type": "Point", "coordinates": [-94.25, 38.95]}
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    assert "a zone must be a Polygon or MultiPolygon" in excinfo.value.message_dict["geometry"][0]

    city.geometry = {"type": "Feature", "geometry": f.CITY_SQUARE}
    city.full_clean()
    assert city.geometry["type"] == "Polygon" and city.min_lon == pytest.approx(-94.3)


def test_a_city_may_have_no_boundary():
    city = City(name="Testville", time_zone="America/Chicago", geometry="")
    city.full_clean()
    assert city.geometry is None and city.min_lat is None
    city.save()
    assert not city.covers(*f.WEST_POINT)


# --- covers() ---------------------------------------------------------------------------


def test_covers_inside_outside_and_on_the_edge():
    zone = f.ZoneFactory(geometry=f.WEST_HALF)
    assert zone.covers(*f.WEST_POINT)
    assert not zone.covers(*f.EAST_POINT)
    assert not zone.covers(*f.OUTSIDE_POINT)
    assert zone.covers(38.95, -94.25)  # on the eastern edge
    assert zone.covers(38.9, -94.3)  # the south-west corner
    assert not zone.covers(38.95, -94.2499)


def test_covers_tests_the_shape_not_just_its_box():
    zone = f.ZoneFactory(geometry=LOWER_LEFT)
    assert zone.covers(*NEAR_SW_CORNER)
    assert not zone.covers(*NEAR_NE_CORNER)  # inside the box, outside the triangle


def test_covers_excludes_a_hole():
    with_hole = {
        "type": "Polygon",
        "coordinates": [SQUARE_RING, square(-94.26, 38.94, -94.24, 38.96)[::-1]],
    }
    zone = f.ZoneFactory(geometry=with_hole)
    assert not zone.covers(38.95, -94.25)
    assert zone.covers(38.91, -94.29)


def test_covers_every_part_of_a_multipolygon():
    zone = f.ZoneFactory(
        geometry={
            "type": "MultiPolygon",
            "coordinates": [
                [square(-94.3, 38.9, -94.28, 38.92)],
                [square(-94.22, 38.98, -94.2, 39.0)],
            ],
        }
    )
    assert zone.covers(38.91, -94.29)
    assert zone.covers(38.99, -94.21)
    assert not zone.covers(38.95, -94.25)  # between the parts


def test_after_an_edit_covers_answers_for_the_new_shape():
    zone = f.ZoneFactory(geometry=LOWER_LEFT)
    assert zone.covers(*NEAR_SW_CORNER)  # the shape is now cached

    # As the admin does: validate, then save. Same bounding box, different shape.
    zone.geometry = UPPER_RIGHT
    zone.full_clean()
    zone.save()

    assert zone.covers(*NEAR_NE_CORNER)
    assert not zone.covers(*NEAR_SW_CORNER)
    # Another copy of the row (another request in this process) agrees.
    fresh = Zone.objects.get(pk=zone.pk)
    assert fresh.covers(*NEAR_NE_CORNER)
    assert not fresh.covers(*NEAR_SW_CORNER)


def test_a_stale_copy_loaded_before_the_edit_keeps_its_own_shape():
    zone = f.ZoneFactory(geometry=LOWER_LEFT)
    before_edit = Zone.objects.get(pk=zone.pk)
    zone.geometry = UPPER_RIGHT
    zone.full_clean()
    zone.save()
    assert Zone.objects.get(pk=zone.pk).covers(*NEAR_NE_CORNER)
    # The older copy still answers for the shape it holds, not for a mix of both.
    assert before_edit.covers(*NEAR_SW_CORNER)
    assert not before_edit.covers(*NEAR_NE_CORNER)


@pytest.mark.parametrize(
    ("lat", "lon", "valid"),
    [
        (38.95, -94.25, True),
        (90, 180, True),
        (-90, -180, True),
        (90.0001, 0, False),
        (0, -180.0001, False),
        (math.nan, 0, False),
        (0, math.inf, False),
    ],
)
def test_valid_coordinates(lat, lon, valid):
    assert geo.valid_coordinates(lat, lon) is valid
