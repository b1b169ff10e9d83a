"""Residents' help pages: the public FAQ, searchable, in the reader's language. Only public,
active articles exist here; an agent script is a 404 whatever its address."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from frontdoor.catalogue.models import City, Service
from frontdoor.knowledge import search
from frontdoor.knowledge.models import Article, Audience

PAGE_SIZE = 25


def _city() -> City | None:
    return City.objects.order_by("pk").first()


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    language = search.current_language()
    query = request.GET.get("q", "")[: search.MAX_QUERY].strip()
    page = None
    if query:
        results = search.search(query, language, audience=Audience.PUBLIC, limit=50)
    else:
        paginator = Paginator(search.public_articles(language), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        results = search.shown(page.object_list)
    context = {"query": query, "results": results, "page": page, "city": _city()}
    return render(request, "knowledge/help/index.html", context)


@require_safe
def article(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    found = Article.objects.filter(pk=pk, active=True, audience=Audience.PUBLIC).first()
    if found is None:
        raise Http404
    shown = found.in_language(search.current_language())
    if slug != shown.slug:
        return redirect("help:article", pk=found.pk, slug=shown.slug)
    services = found.services.filter(active=True, audience=Service.Audience.PUBLIC)
    context = {"item": shown, "services": list(services), "city": _city()}
    return render(request, "knowledge/help/article.html", context)
