"""The admin for articles and canned responses: bad placeholders, links and owners are
refused with a message in the administrator's language; "mark reviewed" and the filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontdoor.knowledge.models import Article, Audience, CannedResponse
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(city):  # type: ignore[no-untyped-def]
    return f.administrator("boss")


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    client.force_login(admin_user)
    return client


def canned_form(**overrides: str) -> dict[str, str]:
    data = {
        "title_en": "Fixed",
        "title_es": "Reparado",
        "text_en": "Request {tracking_number} is fixed.",
        "text_es": "La solicitud {tracking_number} está resuelta.",
        "service": "",
        "active": "on",
        "order": "0",
    }
    data.update(overrides)
    return data


def article_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title_en": "Bulk pickup",
        "title_es": "",
        "body_en": "Call 311 to book.",
        "body_es": "",
        "audience": Audience.PUBLIC,
        "owner": "",
        "review_interval_days": "180",
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("en", "Hello {name}", "Unknown placeholder {name}. You can use {tracking_number}"),
        ("es", "Hola {nombre}", "Marcador desconocido {nombre}. Puede usar {tracking_number}"),
        ("en", "Number {tracking_number", "A brace is not part of a placeholder"),
        ("es", "Número {tracking_number", "Hay una llave que no forma parte de un marcador"),
    ],
)
def test_bad_placeholders_are_refused_in_the_admins_language(admin_client, language, text, message):
    response = admin_client.post(
        reverse("admin:knowledge_cannedresponse_add"),
        canned_form(text_es=text),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "text_es" in response.context["adminform"].form.errors
    assert not CannedResponse.objects.exists()


def test_a_good_canned_response_is_saved(admin_client, pothole):
    response = admin_client.post(
        reverse("admin:knowledge_cannedresponse_add"),
        canned_form(service=str(pothole.pk), text_en="Dear {resident_name}, {service} done."),
    )
    assert response.status_code == 302
    saved = CannedResponse.objects.get()
    assert saved.service == pothole and saved.text_es.startswith("La solicitud")


def test_english_text_is_required(admin_client):
    response = admin_client.post(
        reverse("admin:knowledge_cannedresponse_add"),
        canned_form(text_en=""),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    assert "Este campo es obligatorio." in response.content.decode()


@pytest.mark.parametrize(
    ("language", "overrides", "field", "message"),
    [
        (
            "en",
            {"body_en": "See [this](javascript:void)"},
            "body_en",
            "The link “javascript:void” cannot be used",
        ),
        (
            "es",
            {"body_en": "Vea [esto](//evil.example)"},
            "body_en",
            "No se puede usar el enlace «//evil.example»",
        ),
        (
            "en",
            {"title_es": "Recogida"},
            "body_es",
            "Give both the title and the text in this language, or neither.",
        ),
        (
            "es",
            {"body_es": "Llame al 311."},
            "title_es",
            "Indique el título y el texto en este idioma, o ninguno de los dos.",
        ),
    ],
)
def test_bad_articles_are_refused_in_the_admins_language(
    admin_client, language, overrides, field, message
):
    response = admin_client.post(
        reverse("admin:knowledge_article_add"),
        article_form(**overrides),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_a_non_staff_owner_is_refused(admin_client):
    resident = f.UserFactory(username="res")
    response = admin_client.post(
        reverse("admin:knowledge_article_add"), article_form(owner=str(resident.pk))
    )
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_an_article_is_saved_with_services_and_found(admin_client, admin_user, pothole):
    response = admin_client.post(
        reverse("admin:knowledge_article_add"),
        article_form(services=[str(pothole.pk)], owner=str(admin_user.pk)),
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert list(article.services.all()) == [pothole]
    assert article.review_due_at == article.last_reviewed_at + timedelta(days=180)
    from frontdoor.knowledge import search

    assert [item.article for item in search.search("pothole", "en")] == [article]


def test_mark_reviewed_action(admin_client, admin_user):
    long_ago = timezone.now() - timedelta(days=400)
    stale = f.ArticleFactory(last_reviewed_at=long_ago)
    untouched = f.ArticleFactory(last_reviewed_at=long_ago)
    response = admin_client.post(
        reverse("admin:knowledge_article_changelist"),
        {"action": "mark_reviewed", "_selected_action": [str(stale.pk)]},
        HTTP_ACCEPT_LANGUAGE="es",
        follow=True,
    )
    assert "1 artículo marcado como revisado." in response.content.decode()
    stale.refresh_from_db()
    untouched.refresh_from_db()
    assert not stale.is_stale() and stale.last_reviewed_by == admin_user
    assert untouched.is_stale() and untouched.last_reviewed_at == long_ago


def test_list_filters_and_search(admin_client, pothole):
    long_ago = timezone.now() - timedelta(days=400)
    stale = f.ArticleFactory(title_en="Old answer", last_reviewed_at=long_ago)
    script = f.ArticleFactory(
        title_en="Pothole script", audience=Audience.INTERNAL, services=[pothole]
    )
    url = reverse("admin:knowledge_article_changelist")

    def listed(**params: str) -> set[Article]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed(review="stale") == {stale}
    assert listed(review="current") == {script}
    assert listed(audience__exact="internal") == {script}
    assert listed(services__id__exact=str(pothole.pk)) == {script}
    assert listed(q="old") == {stale}
    general = f.CannedFactory(title_en="General")
    specific = f.CannedFactory(title_en="Pothole", service=pothole)
    canned_url = reverse("admin:knowledge_cannedresponse_changelist")
    response = admin_client.get(canned_url, {"scope": "general"})
    assert list(response.context["cl"].result_list) == [general]
    response = admin_client.get(canned_url, {"scope": "service"})
    assert list(response.context["cl"].result_list) == [specific]
