"""Knowledge search: ranked (title first), filtered by audience and service, accent and
case blind, the same on SQLite and PostgreSQL, and safe with any query."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.knowledge import search
from frontdoor.knowledge.models import ArticleIndex, Audience
from tests import factories as f

pytestmark = pytest.mark.django_db


def titles(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.title for item in results]


@pytest.fixture
def trees(city):  # type: ignore[no-untyped-def]
    service = f.ServiceFactory(
        code="TREE_DOWN",
        name_en="Fallen tree",
        name_es="Árbol caído",
        keywords_en="storm damage, limb",
        keywords_es="tormenta, rama",
    )
    return service


@pytest.fixture
def articles(trees):  # type: ignore[no-untyped-def]
    """Three public articles that mention branches in different places, one script."""
    in_title = f.ArticleFactory(
        title_en="Branches after a storm",
        body_en="Put them at the curb.",
        title_es="Ramas después de una tormenta",
        body_es="Déjelas en la acera.",
    )
    in_body = f.ArticleFactory(
        title_en="Yard waste pickup",
        body_en="Bundle branches and brush with twine.",
        title_es="Recogida de desechos de jardín",
        body_es="Ate las ramas con cuerda.",
    )
    via_service = f.ArticleFactory(
        title_en="Who looks after street trees",
        body_en="Forestry crews prune city trees.",
        services=[trees],
    )
    script = f.ArticleFactory(
        title_en="Script: caller reports a branch on a wire",
        body_en="Tell the caller to stay 10 metres away and call the power company.",
        audience=Audience.INTERNAL,
        services=[trees],
    )
    return {"title": in_title, "body": in_body, "service": via_service, "script": script}


def test_title_hits_rank_before_service_hits_before_text_hits(articles):
    assert titles(search.search("branch", "en")) == [
        "Branches after a storm",
        "Script: caller reports a branch on a wire",
        "Yard waste pickup",
    ]
    # "storm": a title, then two articles whose service has the keyword "storm damage"
    assert titles(search.search("storm", "en")) == [
        "Branches after a storm",
        "Script: caller reports a branch on a wire",
        "Who looks after street trees",
    ]


def test_a_service_word_finds_the_articles_of_that_service(articles):
    assert titles(search.search("limb", "en")) == [
        "Script: caller reports a branch on a wire",
        "Who looks after street trees",
    ]


def test_more_matching_words_rank_higher(articles):
    results = search.search("yard branches twine", "en")
    assert titles(results)[0] == "Yard waste pickup"


def test_audience_and_service_filters(articles, trees):
    public = search.search("branch", "en", audience=Audience.PUBLIC)
    assert "Script: caller reports a branch on a wire" not in titles(public)
    assert len(public) == 2
    scripts = search.search("branch", "en", audience=Audience.INTERNAL)
    assert titles(scripts) == ["Script: caller reports a branch on a wire"]
    for_trees = search.search("", "en", service=trees)
    assert set(titles(for_trees)) == {
        "Script: caller reports a branch on a wire",
        "Who looks after street trees",
    }
    assert titles(search.search("curb", "en", service=trees)) == []


def test_spanish_search_is_accent_and_case_blind_and_falls_back_to_english(articles):
    results = search.search("RAMAS tormenta", "es")
    assert titles(results)[0] == "Ramas después de una tormenta"
    assert not results[0].fallback
    # "arbol" finds the service "Árbol caído"; those articles have no Spanish text
    by_service = search.search("arbol", "es")
    assert {item.title for item in by_service} == {
        "Script: caller reports a branch on a wire",
        "Who looks after street trees",
    }
    assert all(item.fallback for item in by_service)


def test_words_match_from_their_start_and_plurals_find_singulars(articles):
    assert titles(search.search("bran", "en"))[0] == "Branches after a storm"
    assert titles(search.search("anche", "en")) == []  # not inside a word
    assert "Who looks after street trees" in titles(search.search("trees", "en"))
    assert "Who looks after street trees" in titles(search.search("tree", "en"))


def test_inactive_articles_are_never_found(articles):
    article = articles["title"]
    article.active = False
    article.save()
    assert "Branches after a storm" not in titles(search.search("branches", "en"))
    assert "Branches after a storm" not in titles(search.search("", "en"))


def test_empty_query_gives_the_most_recently_updated(articles):
    articles["body"].save()  # touched last
    results = search.search("   ", "en", limit=2)
    assert len(results) == 2 and results[0].article == articles["body"]
    assert len(search.search("", "en", audience=Audience.PUBLIC, limit=50)) == 3
    # a query without a single word is an empty query
    assert search.search("%", "en") == search.search("", "en")
    assert search.search("?!. -- ''", "en") == search.search("", "en")


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "{{branch}}",
        "🌳🌳🌳",
        "b" * 10_000,
        " ".join(["branch"] * 500),
        "\\",
        "_",
    ],
)
def test_odd_queries_are_safe(articles, query):
    results = search.search(query, "en", audience=Audience.PUBLIC)
    assert all(item.article.active and not item.is_internal for item in results)


def test_nul_characters_and_wildcards_are_not_part_of_words(articles):
    for query in ("\x00branch", "branch\x00", "bran%", "{{branch}}"):
        assert titles(search.search(query, "en"))[0] == "Branches after a storm", repr(query)


def test_long_queries_are_cut_to_the_first_words(articles):
    query = "branches " + "zzz " * 100
    assert len(search.terms(query)) <= search.MAX_TERMS
    assert titles(search.search(query, "en"))[0] == "Branches after a storm"


def test_limit_is_kept_within_bounds(articles):
    assert len(search.search("", "en", limit=0)) == 1
    assert len(search.search("", "en", limit=-5)) == 1
    assert len(search.search("", "en", limit=10**9)) == 4


def test_unknown_language_uses_english(articles):
    assert titles(search.search("branches", "fr"))[0] == "Branches after a storm"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=300))
def test_any_query_returns_active_articles_without_error(articles, query):
    results = search.search(query, "es", audience=Audience.PUBLIC)
    assert all(item.article.audience == Audience.PUBLIC for item in results)
    assert len(results) <= 20


def test_for_service_shows_scripts_first(articles, trees):
    faq = f.ArticleFactory(title_en="About fallen trees", services=[trees])
    shown = search.for_service(trees, "en")
    assert titles(shown) == [
        "Script: caller reports a branch on a wire",
        "About fallen trees",
        "Who looks after street trees",
    ]
    assert shown[0].is_internal and not shown[1].is_internal
    public = search.for_service(trees, "es", audience=Audience.PUBLIC)
    assert [item.article for item in public] == [faq, articles["service"]]
    assert all(item.fallback for item in public)


def test_index_follows_service_links_and_renames(articles, trees):
    other = f.ServiceFactory(name_en="Mosquitoes", name_es="Mosquitos", keywords_en="")
    article = articles["body"]
    assert search.search("mosquitoes", "en") == []
    article.services.add(other)
    assert titles(search.search("mosquitoes", "en")) == ["Yard waste pickup"]
    other.name_en = "Biting insects"
    other.save()
    assert titles(search.search("insects", "en")) == ["Yard waste pickup"]
    assert search.search("mosquitoes", "en") == []
    other.articles.remove(article)  # from the service's side
    assert search.search("insects", "en") == []
    trees.articles.clear()
    assert search.search("limb", "en") == []
    trees.articles.add(articles["service"])
    assert titles(search.search("limb", "en")) == ["Who looks after street trees"]
    assert ArticleIndex.objects.count() == 2 * 4


def test_normalise_and_terms():
    assert search.normalise("Árbol CAÍDO, ¿dónde?") == "arbol caido donde"
    assert search.terms("the pothole on my street") == ["pothole", "street"]
    assert search.terms("the") == ["the"]  # only stop words: search them anyway
    assert search.terms("potholes Potholes") == ["pothole"]
    assert search.terms("") == []
    assert search.terms("!!! ???") == []
