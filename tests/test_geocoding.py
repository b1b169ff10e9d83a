"""The geocoder: the local address index (normalised prefix search, exact look-up, the
address at a point), loading a city's file, and a Nominatim-compatible service whose
every failure falls back to the local index."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from frontdoor.geocoding.geocoders import LocalIndex, Nominatim, geocoder
from frontdoor.geocoding.loader import load_addresses
from frontdoor.geocoding.models import AddressPoint
from frontdoor.geocoding.normalise import normalise, prefixes

CSV = """id,number,street,lat,lon,postal_code
A1,123,Main Street,38.951,-94.271,64170
A2,125,Main Street,38.9511,-94.2711,64170
A3,9,N. Alder Avenue,38.96,-94.26,64171
A4,1,Far Away Road,40.5,-95.5,99999
A5,7,Broken Row,not-a-number,-94.2,
"""


@pytest.fixture
def addresses(city, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "addresses.csv"
    path.write_text(CSV, "utf-8")
    load_addresses(path)
    return path


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("123 Main Street", "123 main st"),
        ("123 main st.", "123 main st"),
        ("123 MAIN STR", "123 main st"),
        ("9 North Alder Avenue, Apt 4", "9 n alder ave 4"),
        ("12 Calle Señora", "12 st senora"),
        ("1st Street", "1st st"),
        ("First Street", "1st st"),
    ],
)
def test_normalise_folds_every_way_of_writing_an_address(typed: str, stored: str) -> None:
    assert normalise(typed) == stored


def test_a_half_typed_word_may_be_a_suffix_or_a_name() -> None:
    assert "123 main st" in prefixes("123 main stre")
    assert "123 main stre" in prefixes("123 main stre")
    assert prefixes("   ") == []


def test_loading_keeps_points_in_the_city_and_counts_the_rest(city, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.csv"
    path.write_text(CSV, "utf-8")
    result = load_addresses(path)
    assert (result.loaded, result.outside, result.unreadable) == (3, 1, 1)
    point = AddressPoint.objects.get(source_id="A3")
    assert (point.label, point.normalised, point.street_normalised) == (
        "9 N. Alder Avenue",
        "9 n alder ave",
        "n alder ave",
    )
    # Loading again replaces, --append adds.
    load_addresses(path)
    assert AddressPoint.objects.count() == 3
    load_addresses(path, replace=False)
    assert AddressPoint.objects.count() == 6


def test_geojson_points_with_openstreetmap_tags_load(city, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.geojson"
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-94.27, 38.95]},
        "properties": {
            "addr:housenumber": "40",
            "addr:street": "Elm Road",
            "addr:postcode": "64170",
        },
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    assert load_addresses(path).loaded == 1
    assert LocalIndex().exact("40 elm rd").postal_code == "64170"  # type: ignore[union-attr]


def test_the_command_loads_a_file_and_refuses_a_bad_one(city, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "a.csv"
    good.write_text(CSV, "utf-8")
    call_command("load_addresses", str(good))
    assert (
        "Loaded 3 addresses; left out 1 outside the city and 1 unreadable"
        in capsys.readouterr().out
    )
    bad = tmp_path / "b.geojson"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(CommandError, match="not valid GeoJSON"):
        call_command("load_addresses", str(bad))
    assert AddressPoint.objects.count() == 3  # the failed load changed nothing
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_addresses", str(tmp_path / "missing.csv"))


def test_the_demo_city_ships_synthetic_addresses_inside_its_boundary() -> None:
    from frontdoor.demo.loader import DATA

    path = DATA / "addresses.csv"
    assert path.stat().st_size < 2_000_000
    assert path.read_text("utf-8").startswith("id,number,street,lat,lon,postal_code")


def test_local_search_matches_prefixes_in_any_spelling(addresses) -> None:  # type: ignore[no-untyped-def]
    index = LocalIndex()
    assert [p.label for p in index.search("123 main st")] == ["123 Main Street"]
    assert [p.label for p in index.search("12")] == ["123 Main Street", "125 Main Street"]
    assert [p.label for p in index.search("main str")] == ["123 Main Street", "125 Main Street"]
    assert [p.label for p in index.search("9 north alder")] == ["9 N. Alder Avenue"]
    assert index.search("x") == []
    assert index.search("far away") == []  # never loaded: outside the city


def test_exact_and_reverse(addresses) -> None:  # type: ignore[no-untyped-def]
    index = LocalIndex()
    place = index.exact("123 MAIN ST")
    assert place is not None and (place.lat, place.lon, place.address_id) == (38.951, -94.271, "A1")
    assert index.exact("124 Main Street") is None
    near = index.reverse(38.95102, -94.27098)
    assert near is not None and near.label == "123 Main Street"
    assert index.reverse(38.93, -94.22) is None  # nothing within 120 m


# --- A Nominatim-compatible service, faked on 127.0.0.1 ------------------------------


class FakeNominatim(BaseHTTPRequestHandler):
    mode = "ok"
    calls: list[dict[str, list[str]]] = []

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        type(self).calls.append({"path": [urlsplit(self.path).path], **query})
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        body: Any
        if self.mode == "garbage":
            raw = b"<html>maintenance</html>"
        else:
            if self.path.startswith("/reverse"):
                body = {"lat": "38.952", "lon": "-94.272", "display_name": "7, Oak Road, Testville",
                        "address": {"house_number": "7", "road": "Oak Road"}}  # fmt: skip
            elif self.mode == "empty":
                body = []
            else:
                body = [
                    {"lat": "38.952", "lon": "-94.272", "osm_type": "node", "osm_id": 42,
                     "display_name": "7, Oak Road, Testville, County, 64170, United States",
                     "address": {"house_number": "7", "road": "Oak Road", "postcode": "64170"}},
                    {"lat": "41.0", "lon": "-96.0", "display_name": "7 Oak Road, Elsewhere"},
                ]  # fmt: skip
            raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def nominatim() -> Iterator[tuple[str, type[FakeNominatim]]]:
    FakeNominatim.mode = "ok"
    FakeNominatim.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", FakeNominatim
    server.shutdown()
    server.server_close()


def remote(url: str, timeout: float = 0.3) -> Nominatim:
    return Nominatim(url, timeout=timeout, fallback=LocalIndex())


def test_nominatim_results_inside_the_city_are_offered(addresses, nominatim) -> None:  # type: ignore[no-untyped-def]
    url, handler = nominatim
    places = remote(url).search("7 oak road")
    assert [(p.label, p.lat, p.lon, p.address_id, p.postal_code) for p in places] == [
        ("7 Oak Road", 38.952, -94.272, "n42", "64170")
    ]
    call = handler.calls[0]
    assert call["path"] == ["/search"] and call["q"] == ["7 oak road"]
    assert call["format"] == ["jsonv2"] and call["bounded"] == ["1"]
    assert call["viewbox"] == ["-94.3,39.0,-94.2,38.9"]
    assert remote(url).reverse(38.952, -94.272).label == "7 Oak Road"  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["error", "garbage", "slow", "empty"])
def test_every_nominatim_failure_falls_back_to_the_local_index(addresses, nominatim, mode) -> None:  # type: ignore[no-untyped-def]
    url, handler = nominatim
    handler.mode = mode
    geocoder_ = remote(url, timeout=0.2)
    assert [p.label for p in geocoder_.search("123 main")] == ["123 Main Street"]
    if mode != "empty":
        assert geocoder_.reverse(38.95102, -94.27098).label == "123 Main Street"  # type: ignore[union-attr]


def test_an_unreachable_nominatim_falls_back(addresses) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert [p.label for p in remote(f"http://127.0.0.1:{port}").search("125 main")] == [
        "125 Main Street"
    ]


def test_the_settings_choose_the_geocoder(settings, nominatim) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(geocoder(), LocalIndex)
    settings.GEOCODER = "nominatim"
    settings.NOMINATIM_URL = nominatim[0]
    chosen = geocoder()
    assert isinstance(chosen, Nominatim) and chosen.base_url == nominatim[0]


def test_the_report_form_never_fails_when_nominatim_does(
    client, pothole, settings, nominatim
) -> None:  # type: ignore[no-untyped-def]
    url, handler = nominatim
    handler.mode = "error"
    settings.GEOCODER, settings.NOMINATIM_URL, settings.GEOCODER_TIMEOUT = "nominatim", url, 0.2
    response = client.get("/addresses/", {"address": "123 main"})
    assert response.status_code == 200
