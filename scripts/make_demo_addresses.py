"""Write frontdoor/demo/data/addresses.csv: SYNTHETIC address points for Port Alder.

Port Alder is fictional, so are its addresses: a regular grid of numbered streets (east-west)
and named avenues (north-south) laid over the city boundary in zones.geojson, with house
numbers rising 100 per block from the west and south edges, even on one side and odd on the
other, and a few lots left empty. Deterministic; run from the repository root:

    .venv/bin/python scripts/make_demo_addresses.py
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from shapely.geometry import Point, shape

DATA = Path(__file__).resolve().parents[1] / "frontdoor" / "demo" / "data"
STREET_STEP = 0.004  # degrees of latitude between east-west streets (about 445 m)
AVENUE_STEP = 0.005  # degrees of longitude between north-south avenues (about 430 m)
LOT_STEP = 0.0012  # degrees along a street between lots
SIDE = 0.00012  # a house stands this far off the street's centre line
AVENUES = [
    "Alder",
    "Birch",
    "Cedar",
    "Dogwood",
    "Elm",
    "Fir",
    "Ginkgo",
    "Hawthorn",
    "Ironwood",
    "Juniper",
    "Katsura",
    "Linden",
    "Magnolia",
    "Nutmeg",
    "Oak",
    "Pine",
    "Quince",
    "Redbud",
    "Sycamore",
    "Tamarack",
    "Upas",
    "Viburnum",
    "Walnut",
    "Willow",
    "Yew",
    "Zelkova",
    "Aspen",
    "Buckeye",
    "Chestnut",
    "Douglas",
    "Hemlock",
    "Larch",
    "Maple",
    "Poplar",
]
POSTAL_CODES = ["64170", "64171", "64172"]


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def main() -> None:
    zones = json.loads((DATA / "zones.geojson").read_text("utf-8"))
    boundary = next(
        shape(f["geometry"]) for f in zones["features"] if f["properties"]["kind"] == "boundary"
    )
    min_lon, min_lat, max_lon, max_lat = boundary.bounds
    rng = random.Random(311)
    rows: list[tuple[str, str, str, float, float, str]] = []

    def postal(lon: float) -> str:
        share = (lon - min_lon) / (max_lon - min_lon)
        return POSTAL_CODES[min(int(share * len(POSTAL_CODES)), len(POSTAL_CODES) - 1)]

    def add(number: int, street: str, lat: float, lon: float) -> None:
        if rng.random() < 0.12 or not boundary.contains(Point(lon, lat)):
            return  # an empty lot, or outside the city
        ident = f"PA-{len(rows) + 1:06d}"
        rows.append((ident, str(number), street, round(lat, 6), round(lon, 6), postal(lon)))

    n_streets = int((max_lat - min_lat) / STREET_STEP)
    middle = n_streets // 2
    for i in range(1, n_streets + 1):
        lat = min_lat + i * STREET_STEP
        name = "Main Street" if i == middle else f"{ordinal(i)} Street"
        lon = min_lon + LOT_STEP / 2
        while lon < max_lon:
            block = int((lon - min_lon) / AVENUE_STEP)
            within = int(((lon - min_lon) % AVENUE_STEP) / LOT_STEP)
            base = 100 * (block + 1) + 4 * within
            add(base, name, lat - SIDE, lon)  # south side: even
            add(base + 1, name, lat + SIDE, lon)  # north side: odd
            lon += LOT_STEP

    n_avenues = int((max_lon - min_lon) / AVENUE_STEP)
    for j in range(1, n_avenues + 1):
        lon = min_lon + j * AVENUE_STEP
        name = f"{AVENUES[(j - 1) % len(AVENUES)]} Avenue"
        lat = min_lat + LOT_STEP / 2
        while lat < max_lat:
            block = int((lat - min_lat) / STREET_STEP)
            within = int(((lat - min_lat) % STREET_STEP) / LOT_STEP)
            base = 100 * (block + 1) + 4 * within
            add(base, name, lat, lon - SIDE)  # west side: even
            add(base + 1, name, lat, lon + SIDE)  # east side: odd
            lat += LOT_STEP

    out = DATA / "addresses.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "number", "street", "lat", "lon", "postal_code"])
        writer.writerows(rows)
    print(f"Wrote {len(rows)} synthetic addresses to {out} ({out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
