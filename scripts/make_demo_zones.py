"""Generate the zones of the fictional demo city Port Alder: frontdoor/demo/data/zones.geojson.

Usage (from the repository root, with the project's venv, which has shapely):

    .venv/bin/python scripts/make_demo_zones.py [--out frontdoor/demo/data/zones.geojson]

The city is drawn in a local kilometre grid around (38.95 N, 94.20 W) and converted to WGS84.
Every zone kind (ward, district, crew area) is made the same way: the city outline plus that
kind's divider polylines are polygonized and each face is given to the zone whose seed point it
holds. Dividers start and end on outline vertices and meet each other only at shared vertices,
and every vertex is rounded to 6 decimals *before* the geometry is built, so no intersection
point is ever computed. That makes the tiling exact in the written file, not just up to
floating-point noise, and the script checks it before writing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping
from shapely.geometry.polygon import orient
from shapely.ops import polygonize, unary_union

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "frontdoor" / "demo" / "data" / "zones.geojson"

CENTRE_LAT = 38.95
CENTRE_LON = -94.20
KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(CENTRE_LAT))
TOLERANCE = 1e-9  # square degrees

Km = tuple[float, float]


def to_lonlat(point: Km) -> tuple[float, float]:
    x_km, y_km = point
    return (
        round(CENTRE_LON + x_km / KM_PER_DEG_LON, 6),
        round(CENTRE_LAT + y_km / KM_PER_DEG_LAT, 6),
    )


# The city outline, counter-clockwise from the south-west corner (km east, km north of centre).
# Some vertices exist only so that a divider can end exactly on the outline.
OUTLINE: dict[str, Km] = {
    "SW": (-7.0, -4.6),
    "S1": (-3.5, -5.5),
    "S2": (-2.2, -5.34),
    "S3": (-0.2, -5.1),
    "S4": (2.2, -5.4),
    "S5": (3.0, -5.5),
    "SE": (6.2, -4.8),
    "E1": (7.0, -2.0),
    "E1b": (6.8, -0.5),
    "E2": (6.6, 1.0),
    "NE": (7.0, 3.8),
    "N1": (4.8, 5.5),
    "N2": (2.4, 5.14),
    "N3": (1.5, 5.0),
    "N4": (-1.0, 5.5),
    "N5": (-2.3, 5.36),
    "N6": (-4.2, 5.2),
    "NW": (-6.4, 4.1),
    "W1": (-6.0, 1.2),  # the bend of Alder Creek on the west edge
    "W2": (-7.0, -1.0),
}

# Dividers per kind: polylines whose ends are outline vertices (by name) and whose interior
# points are inside the city. Seeds: one point inside each zone.
DIVIDERS: dict[str, list[list[str | Km]]] = {
    "crew_area": [
        [(0.3, 0.2), (-3.5, -2.1), "SW"],
        [(0.3, 0.2), (3.3, -2.4), "SE"],
        [(0.3, 0.2), (3.6, 2.2), "NE"],
        [(0.3, 0.2), (-3.1, 2.0), "NW"],
    ],
    "ward": [
        ["W2", (-2.4, -0.5), (2.2, -0.3), "E1b"],
        ["N5", (-2.4, -0.5), (-2.0, -2.9), "S2"],
        ["N2", (2.2, -0.3), (2.6, -2.6), "S4"],
    ],
    "district": [
        ["W1", (-1.0, 1.8), (3.0, 1.5), "E2"],
        [(-1.0, 1.8), (0.4, -2.0), "S3"],
    ],
}

ZONES: dict[str, list[dict[str, Any]]] = {
    "crew_area": [
        {
            "code": "CREW-NORTH",
            "en": "North Crew Area",
            "es": "Área de cuadrilla Norte",
            "seed": (0.0, 4.0),
        },
        {
            "code": "CREW-SOUTH",
            "en": "South Crew Area",
            "es": "Área de cuadrilla Sur",
            "seed": (0.0, -4.0),
        },
        {
            "code": "CREW-EAST",
            "en": "East Crew Area",
            "es": "Área de cuadrilla Este",
            "seed": (6.0, 0.0),
        },
        {
            "code": "CREW-WEST",
            "en": "West Crew Area",
            "es": "Área de cuadrilla Oeste",
            "seed": (-6.0, 0.0),
        },
    ],
    "ward": [
        {"code": f"WARD-{n}", "en": f"Ward {n}", "es": f"Distrito electoral {n}", "seed": seed}
        for n, seed in [
            (1, (-5.0, 3.0)),
            (2, (0.0, 3.0)),
            (3, (5.0, 3.0)),
            (4, (5.0, -3.0)),
            (5, (0.0, -3.0)),
            (6, (-5.0, -3.0)),
        ]
    ],
    "district": [
        {
            "code": "DISTRICT-A",
            "en": "Service District A (North)",
            "es": "Distrito de servicio A (Norte)",
            "seed": (0.0, 3.0),
        },
        {
            "code": "DISTRICT-B",
            "en": "Service District B (Southwest)",
            "es": "Distrito de servicio B (Suroeste)",
            "seed": (-4.0, -3.0),
        },
        {
            "code": "DISTRICT-C",
            "en": "Service District C (Southeast)",
            "es": "Distrito de servicio C (Sureste)",
            "seed": (4.0, -3.0),
        },
    ],
}


def outline_polygon() -> Polygon:
    return orient(Polygon([to_lonlat(p) for p in OUTLINE.values()]), sign=1.0)


def divider_line(points: list[str | Km]) -> LineString:
    return LineString([to_lonlat(OUTLINE[p] if isinstance(p, str) else p) for p in points])


def tile(kind: str, city: Polygon) -> dict[str, Polygon | MultiPolygon]:
    lines = [LineString(city.exterior.coords)] + [divider_line(d) for d in DIVIDERS[kind]]
    for line in lines[1:]:
        if not city.covers(line):
            raise SystemExit(f"{kind}: a divider leaves the city: {line.wkt}")
    faces = list(polygonize(unary_union(lines)))
    pieces: dict[str, list[Polygon]] = {zone["code"]: [] for zone in ZONES[kind]}
    for face in faces:
        owners = [
            zone["code"] for zone in ZONES[kind] if face.contains(Point(to_lonlat(zone["seed"])))
        ]
        if len(owners) != 1:
            raise SystemExit(f"{kind}: a face holds {len(owners)} seeds; fix DIVIDERS or seeds")
        pieces[owners[0]].append(face)
    for code, parts in pieces.items():
        if not parts:
            raise SystemExit(f"{kind}: zone {code} got no area")
    return {code: unary_union(parts) for code, parts in pieces.items()}


def rounded(geometry: Polygon | MultiPolygon) -> dict[str, Any]:
    """GeoJSON with CCW exterior rings, CW holes and 6-decimal coordinates."""
    if isinstance(geometry, Polygon):
        geometry = orient(geometry, sign=1.0)
    else:
        geometry = MultiPolygon([orient(g, sign=1.0) for g in geometry.geoms])
    data = mapping(geometry)

    def fix(coords: Any) -> Any:
        if isinstance(coords[0], (int, float)):
            return [round(coords[0], 6), round(coords[1], 6)]
        return [fix(c) for c in coords]

    return {"type": data["type"], "coordinates": fix(data["coordinates"])}


def build() -> dict[str, Any]:
    city = outline_polygon()
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": "CITY",
                "name": {"en": "City of Port Alder", "es": "Ciudad de Port Alder"},
                "kind": "boundary",
            },
            "geometry": rounded(city),
        }
    ]
    for kind in ("ward", "district", "crew_area"):
        shapes = tile(kind, city)
        for zone in ZONES[kind]:
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": zone["code"],
                        "name": {"en": zone["en"], "es": zone["es"]},
                        "kind": kind,
                    },
                    "geometry": rounded(shapes[zone["code"]]),
                }
            )
    return {"type": "FeatureCollection", "features": features}


def check(collection: dict[str, Any]) -> list[str]:
    """Validate the collection as it will be read back from the file; return problems."""
    problems: list[str] = []
    by_kind: dict[str, list[tuple[str, Any]]] = {}
    for feature in collection["features"]:
        props = feature["properties"]
        geometry = shapely.geometry.shape(feature["geometry"])
        if not geometry.is_valid:
            problems.append(f"{props['code']}: {shapely.is_valid_reason(geometry)}")
        polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
        for polygon in polygons:
            if not polygon.exterior.is_ccw:
                problems.append(f"{props['code']}: exterior ring is not counter-clockwise")
        by_kind.setdefault(props["kind"], []).append((props["code"], geometry))
    boundaries = by_kind.get("boundary", [])
    if len(boundaries) != 1:
        return [*problems, f"expected one boundary, found {len(boundaries)}"]
    city = boundaries[0][1]
    expected = {"ward": 6, "district": 3, "crew_area": 4}
    for kind, count in expected.items():
        zones = by_kind.get(kind, [])
        if len(zones) != count:
            problems.append(f"{kind}: expected {count} zones, found {len(zones)}")
        union = unary_union([g for _, g in zones])
        difference = union.symmetric_difference(city).area
        if difference >= TOLERANCE:
            problems.append(f"{kind}: union differs from the boundary by {difference:.3g}")
        for i, (code_a, geom_a) in enumerate(zones):
            for code_b, geom_b in zones[i + 1 :]:
                overlap = geom_a.intersection(geom_b).area
                if overlap >= TOLERANCE:
                    problems.append(f"{code_a} and {code_b} overlap by {overlap:.3g}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    collection = build()
    text = json.dumps(collection, ensure_ascii=False, indent=1)
    problems = check(json.loads(text))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    args.out.write_text(text + "\n", encoding="utf-8")
    city = shapely.geometry.shape(collection["features"][0]["geometry"])
    min_lon, min_lat, max_lon, max_lat = city.bounds
    width_km = (max_lon - min_lon) * KM_PER_DEG_LON
    height_km = (max_lat - min_lat) * KM_PER_DEG_LAT
    print(
        f"wrote {args.out} ({len(collection['features'])} features, "
        f"city {width_km:.1f} km x {height_km:.1f} km); all kinds tile the boundary exactly"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
