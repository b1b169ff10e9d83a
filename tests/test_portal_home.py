"""The portal's home page: finding a service, the menu, notices and the language switch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontdoor.catalogue.models import City, Service
from frontdoor.portal import search
from frontdoor.portal.models import SiteNotice
from tests import factories as f


@pytest.fixture
def catalogue(pothole, group):  # type: ignore[no-untyped-def]
    pothole.name_es = "Bache"
    pothole.keywords_en = "hole in road, broken pavement"
    pothole.keywords_es = "hoyo en la calle, pavimento roto"
    pothole.save()
    light = f.ServiceFactory(
        code="STREETLIGHT",
        name="Street light out",
        keywords="lamp, dark street",
        category=f.CategoryFactory(code="traffic", name="Traffic and lights", order=2),
        default_group=group,
    )
    light.name_es = "Luminaria apagada"
    light.keywords_es = "farola, señal dañada, calle oscura"
    light.save()
    f.ServiceFactory(
        code="INTERNAL_DEFECT", name="Internal street defect", audience="staff", default_group=group
    )
    f.ServiceFactory(code="RETIRED", name="Retired pothole form", active=False, default_group=group)
    general = f.ServiceFactory(
        code="GENERAL",
        name="Something else",
        category=f.CategoryFactory(code="general", name="Other", order=9),
        default_group=group,
        location_required=False,
    )
    City.objects.update(general_service=general)
    return {"pothole": pothole, "light": light, "general": general}


def codes(results: list[search.ServiceEntry]) -> list[str]:
    return [entry.code for entry in results]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("pothole", "POTHOLE"),
        ("Potholes", "POTHOLE"),  # plural
        ("POTH", "POTHOLE"),  # prefix
        ("bache", "POTHOLE"),  # Spanish name, on an English page
        ("baches", "POTHOLE"),  # Spanish plural
        ("hoyo calle", "POTHOLE"),  # Spanish keywords, words in any order
        ("broken pavement", "POTHOLE"),
        ("senal danada", "STREETLIGHT"),  # accents folded
        ("SEÑAL", "STREETLIGHT"),
        ("lamp", "STREETLIGHT"),
        ("street light", "STREETLIGHT"),
    ],
)
def test_search_finds_a_service_by_name_keyword_or_synonym_in_either_language(
    catalogue, query, expected
):  # type: ignore[no-untyped-def]
    assert codes(search.search(query))[0] == expected


def test_search_never_offers_staff_only_or_inactive_services(catalogue):  # type: ignore[no-untyped-def]
    assert "INTERNAL_DEFECT" not in codes(search.search("internal street defect"))
    assert "RETIRED" not in codes(search.search("retired"))
    assert search.search("xylophone") == []
    assert search.search("   ") == []


def test_home_lists_public_services_by_category_and_offers_something_else(client, catalogue):  # type: ignore[no-untyped-def]
    page = client.get("/").content.decode()
    assert "Testville" in page
    assert "Pothole" in page and "Street light out" in page
    assert "Traffic and lights" in page
    assert "Internal street defect" not in page
    assert "/report/GENERAL/" in page
    assert 'lang="en"' in page and 'href="#main"' in page


def test_search_without_javascript_is_a_plain_get(client, catalogue):  # type: ignore[no-untyped-def]
    page = client.get("/", {"q": "bache"}).content.decode()
    assert "1 service matches “bache”" in page
    assert "/report/POTHOLE/" in page
    assert "<html" in page


def test_htmx_search_returns_only_the_results_fragment(client, catalogue):  # type: ignore[no-untyped-def]
    response = client.get(
        "/", {"q": "lamp"}, headers={"HX-Request": "true", "HX-Target": "search-results"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="search-results"')
    assert "/report/STREETLIGHT/" in page
    assert "<html" not in page


def test_nothing_found_points_to_the_general_request(client, catalogue):  # type: ignore[no-untyped-def]
    page = client.get("/", {"q": "xylophone"}).content.decode()
    assert "Nothing matched" in page
    assert "/report/GENERAL/" in page


def test_home_in_spanish_shows_spanish_catalogue_text(client, catalogue):  # type: ignore[no-untyped-def]
    page = client.get("/", headers={"Accept-Language": "es"}).content.decode()
    assert 'lang="es"' in page
    assert "Bache" in page and "Luminaria apagada" in page
    assert "¿En qué podemos ayudarle?" in page


def test_language_switch_is_remembered(client, catalogue):  # type: ignore[no-untyped-def]
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="es"' in page and "Bache" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_a_notice_shows_on_every_portal_page_only_while_active(client, catalogue):  # type: ignore[no-untyped-def]
    now = timezone.now()
    SiteNotice.objects.create(
        message_en="Snow emergency: park off the snow routes.",
        message_es="Emergencia por nieve: no estacione en las rutas de nieve.",
        level=SiteNotice.Level.EMERGENCY,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    SiteNotice.objects.create(
        message_en="Old holiday schedule", starts_at=now - timedelta(days=3), ends_at=now
    )
    SiteNotice.objects.create(message_en="Future closure", starts_at=now + timedelta(days=1))
    for path in ("/", "/track/", "/report/POTHOLE/"):
        page = client.get(path).content.decode()
        assert "Snow emergency: park off the snow routes." in page, path
        assert "Old holiday schedule" not in page and "Future closure" not in page
    spanish = client.get("/", headers={"Accept-Language": "es"}).content.decode()
    assert "Emergencia por nieve" in spanish


def test_a_notice_must_end_after_it_starts(db):  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    now = timezone.now()
    notice = SiteNotice(message_en="x", starts_at=now, ends_at=now - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        notice.full_clean()


def test_home_without_a_city_still_renders(client, db):  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    assert "No services are offered online yet" in response.content.decode()


def test_health_check_still_answers(client, db):  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json() == {"status": "ok"}


def test_information_only_service_shows_the_answer_and_no_form(client, catalogue):  # type: ignore[no-untyped-def]
    info = f.ServiceFactory(
        code="PICKUP_DAY",
        name="Collection day",
        info_only=True,
        public_notice="Your collection day is on the city's website.",
        info_link="https://city.example/collection",
        default_group=catalogue["pothole"].default_group,
    )
    page = client.get(f"/report/{info.code}/").content.decode()
    assert "Your collection day is on the city" in page
    assert "https://city.example/collection" in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>")[0]


def test_an_information_only_service_needs_its_answer(catalogue):  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    service = Service(code="X", name="X", category=catalogue["pothole"].category, info_only=True)
    service.default_group = catalogue["pothole"].default_group
    with pytest.raises(ValidationError) as raised:
        service.full_clean()
    assert "public_notice" in raised.value.message_dict


def test_staff_only_and_unknown_services_have_no_public_page(client, catalogue):  # type: ignore[no-untyped-def]
    assert client.get("/report/INTERNAL_DEFECT/").status_code == 404
    assert client.get("/report/NOPE/").status_code == 404
    assert client.get("/report/RETIRED/").status_code == 404


def test_an_unknown_page_gets_a_friendly_page_in_the_residents_language(client, catalogue):  # type: ignore[no-untyped-def]
    response = client.get("/report/NO_SUCH_SERVICE/", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Página no encontrada" in html and 'href="/"' in html
