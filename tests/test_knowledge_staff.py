"""Knowledge in the staff workspace: search (full page and HTMX partial), articles of both
audiences, "mark reviewed" for the owner and administrators only, and the canned-response
picker (HTMX and the round trip without JavaScript)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from frontdoor.cases import workflow
from frontdoor.knowledge.models import Audience
from tests import factories as f
from tests.conftest import submit_pothole

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def agent(city):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="carmen", first_name="Carmen", is_agent=True)


@pytest.fixture
def owner(group):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="olga", first_name="Olga")
    f.MembershipFactory(group=group, user=user)
    return user


@pytest.fixture
def kb(pothole, owner):  # type: ignore[no-untyped-def]
    long_ago = timezone.now() - timedelta(days=400)
    return {
        "faq": f.ArticleFactory(
            title_en="How we fix potholes",
            body_en="Crews patch most potholes within 3 days.",
            title_es="Cómo reparamos los baches",
            body_es="Las cuadrillas reparan los baches en 3 días.",
            services=[pothole],
            owner=owner,
            last_reviewed_at=long_ago,
        ),
        "script": f.ArticleFactory(
            title_en="Pothole call script",
            body_en="1. Ask where it is.\n2. Ask about vehicle damage.",
            audience=Audience.INTERNAL,
            services=[pothole],
            owner=owner,
        ),
    }


def test_the_knowledge_pages_are_for_staff_only(client, kb):
    url = reverse("staff:knowledge")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(f.UserFactory(username="resident"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("staff:knowledge_article", args=[kb["script"].pk])).status_code == (
        403
    )


def test_search_shows_public_answers_and_agent_scripts(client, agent, kb):
    client.force_login(agent)
    page = client.get(reverse("staff:knowledge"), {"q": "pothole"}).content.decode()
    assert "How we fix potholes" in page and "Pothole call script" in page
    assert "Agent script" in page and "Public answer" in page
    assert "<html" in page  # a whole page without HTMX
    only_scripts = client.get(
        reverse("staff:knowledge"), {"q": "pothole", "audience": "internal"}
    ).content.decode()
    assert "Pothole call script" in only_scripts and "How we fix potholes" not in only_scripts


def test_htmx_search_returns_only_the_results(client, agent, kb):
    client.force_login(agent)
    response = client.get(reverse("staff:knowledge"), {"q": "script"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="kb-results"')
    assert "<html" not in html and "Pothole call script" in html
    assert "How we fix potholes" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"service": "999999"},
        {"service": "abc"},
        {"audience": "secret"},
        {"q": "x" * 5000},
        {"q": "\x00%_'"},
        {"q": "<script>alert(1)</script>"},
    ],
)
def test_bad_search_input_gets_a_page_not_an_error(client, agent, kb, params):
    client.force_login(agent)
    for extra in ({}, HTMX):
        response = client.get(reverse("staff:knowledge"), params, **extra)
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_bad_filter_is_explained_in_spanish(client, agent, kb):
    client.force_login(agent)
    response = client.get(
        reverse("staff:knowledge"), {"audience": "secret"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    page = response.content.decode()
    assert "Corrija la búsqueda" in page and "Escoja una opción válida" in page


def test_search_page_queries_do_not_grow_with_results(
    client, agent, pothole, django_assert_max_num_queries
):
    client.force_login(agent)
    for n in range(3):
        f.ArticleFactory(title_en=f"Pothole answer {n}", services=[pothole])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("staff:knowledge"), {"q": "pothole"})
    for n in range(40):
        f.ArticleFactory(title_en=f"More pothole answers {n}", services=[pothole])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("staff:knowledge"), {"q": "pothole"}).content.decode()
    assert page.count('class="panel"') >= 43


def test_article_page_in_both_languages_and_both_audiences(client, agent, kb):
    client.force_login(agent)
    url = reverse("staff:knowledge_article", args=[kb["script"].pk])
    page = client.get(url).content.decode()
    assert "<h1>Pothole call script</h1>" in page and "<ol><li>Ask where it is.</li>" in page
    assert "Agent script: staff only" in page
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "todavía no tiene texto en este idioma" in spanish  # no Spanish text
    faq = reverse("staff:knowledge_article", args=[kb["faq"].pk])
    page = client.get(faq, {"lang": "es"}).content.decode()
    assert "<h1>Cómo reparamos los baches</h1>" in page
    assert reverse("help:article", args=[kb["faq"].pk, "como-reparamos-los-baches"]) in page
    assert client.get(faq, {"lang": "xx"}).status_code == 200
    assert "Edit this article" not in page  # an agent is not an administrator
    client.force_login(f.administrator("root"))
    page = client.get(faq).content.decode()
    assert reverse("admin:knowledge_article_change", args=[kb["faq"].pk]) in page


def test_inactive_or_missing_articles_are_404(client, agent, kb):
    client.force_login(agent)
    kb["faq"].active = False
    kb["faq"].save()
    assert client.get(reverse("staff:knowledge_article", args=[kb["faq"].pk])).status_code == 404
    assert client.get(reverse("staff:knowledge_article", args=[10**30])).status_code == 404


def test_the_owner_marks_an_article_reviewed(client, owner, kb):
    client.force_login(owner)
    url = reverse("staff:knowledge_article", args=[kb["faq"].pk])
    page = client.get(url).content.decode()
    assert "Review overdue since" in page and "Mark reviewed" in page
    response = client.post(reverse("staff:knowledge_reviewed", args=[kb["faq"].pk]), follow=True)
    assert "Marked reviewed. The next review is due on" in response.content.decode()
    kb["faq"].refresh_from_db()
    assert not kb["faq"].is_stale() and kb["faq"].last_reviewed_by == owner


def test_mark_reviewed_with_htmx_swaps_the_review_panel(client, owner, kb):
    client.force_login(owner)
    response = client.post(reverse("staff:knowledge_reviewed", args=[kb["faq"].pk]), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel" id="kb-review"')
    assert "Marked reviewed" in html and "Next review due on" in html


def test_others_cannot_mark_reviewed(client, agent, kb, group):
    colleague = f.UserFactory(username="pat")
    f.MembershipFactory(group=group, user=colleague)
    before = kb["faq"].last_reviewed_at
    for user in (agent, colleague):
        client.force_login(user)
        page = client.get(reverse("staff:knowledge_article", args=[kb["faq"].pk]))
        assert "Mark reviewed" not in page.content.decode()
        response = client.post(
            reverse("staff:knowledge_reviewed", args=[kb["faq"].pk]), HTTP_ACCEPT_LANGUAGE="es"
        )
        assert response.status_code == 403
        assert "Solo el responsable del artículo" in response.content.decode()
    kb["faq"].refresh_from_db()
    assert kb["faq"].last_reviewed_at == before
    admin = f.administrator("root")
    client.force_login(admin)
    assert client.post(reverse("staff:knowledge_reviewed", args=[kb["faq"].pk])).status_code == 302
    assert client.get(reverse("staff:knowledge_reviewed", args=[kb["faq"].pk])).status_code == 405


def test_your_articles_due_for_review_are_listed_for_their_owner(client, owner, agent, kb):
    client.force_login(owner)
    assert "Your articles due for review" in client.get(reverse("staff:knowledge")).content.decode()
    client.force_login(agent)
    assert (
        "Your articles due for review"
        not in client.get(reverse("staff:knowledge")).content.decode()
    )


# --- The canned-response picker ------------------------------------------------------------


@pytest.fixture
def spanish_request(pothole, resident):  # type: ignore[no-untyped-def]
    pothole.name_es = "Bache"
    pothole.save()
    return submit_pothole(pothole, contact=workflow.Contact(user=resident))


@pytest.fixture
def responses(pothole):  # type: ignore[no-untyped-def]
    return {
        "general": f.CannedFactory(
            title_en="Thanks",
            title_es="Gracias",
            text_en="Dear {resident_name}, thanks ({tracking_number}).",
            text_es="Estimado(a) {resident_name}: gracias ({tracking_number}).",
        ),
        "pothole": f.CannedFactory(
            title_en="Patched", text_en="The {service} was patched.", service=pothole
        ),
        "other": f.CannedFactory(title_en="Other", service=f.ServiceFactory()),
    }


def picker_url(service_request) -> str:  # type: ignore[no-untyped-def]
    return reverse("staff:canned_picker", args=[service_request.tracking_number])


def test_htmx_picker_fills_the_box_in_the_requesters_language(
    client, agent, spanish_request, responses
):
    client.force_login(agent)
    params = {"field": "text", "private": "0", "canned": str(responses["general"].pk)}
    response = client.get(picker_url(spanish_request), params, **HTMX)
    html = response.content.decode()
    number = spanish_request.display_number
    assert html.startswith('<div class="canned-picker" id="canned-picker-text">')
    assert f"Estimado(a) vecino(a): gracias ({number}).</textarea>" in html
    assert "Rosa" not in html  # a public reply never carries the name
    private = client.get(picker_url(spanish_request), {**params, "private": "1"}, **HTMX)
    assert f"Estimado(a) Rosa Tester: gracias ({number})." in private.content.decode()
    patched = client.get(
        picker_url(spanish_request), {**params, "canned": str(responses["pothole"].pk)}, **HTMX
    )
    assert "The Bache was patched.</textarea>" in patched.content.decode()


def test_picker_offers_the_services_responses_then_general_ones(client, agent, filed, responses):
    client.force_login(agent)
    html = client.get(picker_url(filed), **HTMX).content.decode()
    assert html.index("Patched") < html.index("Thanks (general)")
    assert "Other" not in html


@pytest.mark.parametrize("canned", ["999999", "abc", "' OR 1=1"])
def test_picker_refuses_a_response_that_is_not_offered(client, agent, filed, responses, canned):
    client.force_login(agent)
    for value in (canned, str(responses["other"].pk)):
        response = client.get(picker_url(filed), {"canned": value}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "That canned response is not available for this request." in html
        assert "></textarea>" in html


def test_picker_is_for_staff_and_known_requests(client, filed, resident, agent):
    assert client.get(picker_url(filed)).status_code == 302
    client.force_login(resident)
    assert client.get(picker_url(filed)).status_code == 403
    client.force_login(agent)
    assert client.get(reverse("staff:canned_picker", args=["0000000000"])).status_code == 404
    assert client.put(picker_url(filed)).status_code == 405


def test_without_javascript_the_insert_button_comes_back_to_the_page(
    client, agent, filed, responses
):
    client.force_login(agent)
    response = client.post(
        picker_url(filed),
        {
            "canned": str(responses["pothole"].pk),
            "canned_field": "text",
            "canned_next": "/staff/cases/123/?tab=reply",
            "text": "what was typed",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/staff/cases/123/?tab=reply&canned={responses['pothole'].pk}&canned_field=text"
        "#canned-picker-text"
    )
    for unsafe in ("https://evil.example/", "//evil.example/x", ""):
        response = client.post(picker_url(filed), {"canned": "1", "canned_next": unsafe})
        assert response["Location"].startswith("/staff/?canned=1")


def render_tag(http_request, service_request, arguments: str = "") -> str:  # type: ignore[no-untyped-def]
    template = Template("{% load knowledge %}{% canned_picker service_request " + arguments + " %}")
    return template.render(Context({"request": http_request, "service_request": service_request}))


def test_the_tag_renders_the_box_and_fills_it_after_the_round_trip(filed, responses, agent):
    factory = RequestFactory()
    plain = render_tag(factory.get("/staff/cases/1/"), filed)
    assert 'name="text"' in plain and "></textarea>" in plain
    assert 'name="canned_next" value="/staff/cases/1/"' in plain
    back = factory.get(
        "/staff/cases/1/",
        {"tab": "x", "canned": str(responses["general"].pk), "canned_field": "text"},
    )
    filled = render_tag(back, filed)
    assert f"Dear resident, thanks ({filed.display_number}).</textarea>" in filled
    assert 'name="canned_next" value="/staff/cases/1/?tab=x"' in filled
    # Another box on the same page is not filled, and a private box carries the name.
    other = render_tag(back, filed, 'field="message" private=True')
    assert 'name="message"' in other and "></textarea>" in other
    back_private = factory.get(
        "/staff/cases/1/", {"canned": str(responses["general"].pk), "canned_field": "message"}
    )
    named = render_tag(back_private, filed, 'field="message" private=True label="To Ana"')
    assert "Dear Ana Pérez, thanks" in named and ">To Ana</label>" in named
    assert "label=To+Ana" in named  # kept through HTMX swaps


def test_no_responses_means_just_the_box(filed):
    html = render_tag(RequestFactory().get("/x/"), filed)
    assert "<select" not in html and 'name="text"' in html
