"""Finding the right service: the search box and the categorised menu."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontdoor.portal import search


def home(request: HttpRequest) -> HttpResponse:
    """The menu of services; with ``?q=`` the matches too. HTMX asks for the results
    fragment only while the resident types; without JavaScript the form is a plain GET."""
    query = " ".join(request.GET.get("q", "").split())[: search.MAX_QUERY]
    context = {
        "nav": "report",
        "query": query,
        "results": search.search(query) if query else [],
        "menu": search.menu(),
        "general": search.general_service(),
    }
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "portal/home.html#results", context)
    return render(request, "portal/home.html", context)
