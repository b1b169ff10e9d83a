"""Residents' help pages: public FAQ only, searchable, in the reader's language; agent
scripts are never shown or found, whatever the address or the query."""

from __future__ import annotations

import pytest
from django.urls import reverse

from frontdoor.catalogue.models import Service
from frontdoor.knowledge.models import Audience
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(city, pothole):  # type: ignore[no-untyped-def]
    return f.ArticleFactory(
        title_en="How we fix potholes",
        body_en="Crews patch most potholes within 3 days.\n\n- Cold patch in winter",
        title_es="Cómo reparamos los baches",
        body_es="Las cuadrillas reparan la mayoría de los baches en 3 días.",
        services=[pothole],
    )


@pytest.fixture
def script(city, pothole):  # type: ignore[no-untyped-def]
    return f.ArticleFactory(
        title_en="Pothole intake script (internal)",
        body_en="Ask whether a vehicle was damaged; claims go to Risk Management x4410.",
        audience=Audience.INTERNAL,
        services=[pothole],
    )


def test_index_lists_public_articles_only(client, faq, script):
    response = client.get(reverse("help:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "How we fix potholes" in page
    assert "intake script" not in page and "x4410" not in page


@pytest.mark.parametrize("query", ["pothole", "intake", "script internal", "x4410", "risk"])
def test_search_never_finds_internal_scripts(client, faq, script, query):
    response = client.get(reverse("help:index"), {"q": query})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pothole intake script" not in page and "claims go to" not in page
    if query == "pothole":
        assert "How we fix potholes" in page


def test_internal_and_inactive_articles_are_404(client, faq, script):
    assert client.get(reverse("help:article", args=[script.pk, "x"])).status_code == 404
    assert client.get(reverse("help:article_short", args=[script.pk])).status_code == 404
    faq.active = False
    faq.save()
    assert client.get(reverse("help:article", args=[faq.pk, "x"])).status_code == 404
    assert client.get("/help/999999-nothing/").status_code == 404
    assert client.get("/help/99999999999999999999999999-huge/").status_code == 404


def test_article_page_in_english_and_spanish(client, faq, pothole):
    pothole.name_es = "Bache"
    pothole.save()
    url = reverse("help:article", args=[faq.pk, "how-we-fix-potholes"])
    page = client.get(url).content.decode()
    assert "<h1>How we fix potholes</h1>" in page
    assert "<ul><li>Cold patch in winter</li></ul>" in page
    assert "Related services" in page and "Pothole" in page
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302  # the Spanish title has its own address
    spanish = reverse("help:article", args=[faq.pk, "como-reparamos-los-baches"])
    assert response["Location"] == spanish
    page = client.get(spanish, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in page
    assert "<h1>Cómo reparamos los baches</h1>" in page and "Bache" in page
    assert "no está disponible en español" not in page


def test_untranslated_article_is_shown_in_english_with_a_note(client, city):
    article = f.ArticleFactory(title_en="Leaf collection", body_en="Rake leaves to the curb.")
    response = client.get(
        reverse("help:article", args=[article.pk, "leaf-collection"]), HTTP_ACCEPT_LANGUAGE="es"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "todavía no está disponible en español" in page
    assert '<article lang="en">' in page and "Rake leaves to the curb." in page
    listing = client.get(reverse("help:index"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Leaf collection" in listing and "(en inglés)" in listing


def test_short_and_wrong_slugs_redirect_to_the_canonical_address(client, faq):
    canonical = reverse("help:article", args=[faq.pk, "how-we-fix-potholes"])
    for url in (reverse("help:article_short", args=[faq.pk]), f"/help/{faq.pk}-old-title/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == canonical


def test_staff_only_services_are_not_named_on_public_pages(client, faq):
    hidden = f.ServiceFactory(name_en="Welfare check", audience=Service.Audience.STAFF)
    faq.services.add(hidden)
    page = client.get(reverse("help:article", args=[faq.pk, "how-we-fix-potholes"]))
    assert "Welfare check" not in page.content.decode()


def test_article_text_is_escaped(client, city):
    article = f.ArticleFactory(
        title_en="<i>Tricky</i>", body_en='<script>alert("x")</script> [ok](javascript:x)'
    )
    page = client.get(reverse("help:article_short", args=[article.pk]), follow=True)
    html = page.content.decode()
    assert "<script>alert" not in html and "<i>Tricky" not in html
    assert "&lt;script&gt;" in html and 'href="javascript' not in html


@pytest.mark.parametrize(
    "query",
    ["", " ", "%", "' OR 1=1 --", "<script>", "a" * 5000, "\x00", "{{ x }}", "pothole" * 300],
)
def test_odd_searches_get_a_page_not_an_error(client, faq, query):
    response = client.get(reverse("help:index"), {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_search_results_and_empty_results_in_spanish(client, faq):
    page = client.get(reverse("help:index"), {"q": "baches"}, HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    assert "1 respuesta para «baches»" in html and "Cómo reparamos los baches" in html
    page = client.get(reverse("help:index"), {"q": "zzzz"}, HTTP_ACCEPT_LANGUAGE="es")
    assert "Ninguna respuesta coincide" in page.content.decode()


def test_index_is_paginated(client, city):
    for n in range(30):
        f.ArticleFactory(title_en=f"Answer {n:02d}")
    first = client.get(reverse("help:index")).content.decode()
    assert "Answer 00" in first and "Answer 24" in first and "Answer 25" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("help:index"), {"page": "2"}).content.decode()
    assert "Answer 25" in second and "Answer 29" in second
    assert client.get(reverse("help:index"), {"page": "zzz"}).status_code == 200


def test_only_get_is_allowed(client, faq):
    assert client.post(reverse("help:index")).status_code == 405
