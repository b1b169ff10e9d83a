"""Knowledge in the staff workspace: search (HTMX swaps the results, a plain GET without
JavaScript), an article with both audiences, "mark reviewed", and the canned-response picker
that fills a reply box (HTMX, or a server round trip without JavaScript)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from frontdoor.cases.models import ServiceRequest
from frontdoor.knowledge import reviews, search
from frontdoor.knowledge.canned import choices_for, render_canned
from frontdoor.knowledge.forms import SearchForm
from frontdoor.knowledge.models import Article, CannedResponse
from frontdoor.staff import policy
from frontdoor.staff.decorators import forbidden, staff_required
from frontdoor.staff.roles import request_scope

RESULTS = 50


@staff_required
@require_safe
def knowledge(request: HttpRequest) -> HttpResponse:
    language = search.current_language()
    form = SearchForm(request.GET or None)
    results: list[Any] = []
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        results = search.search(
            data.get("q", ""),
            language,
            audience=data.get("audience") or None,
            service=data.get("service"),
            limit=RESULTS,
        )
    mine = reviews.stale().filter(owner=request.user).order_by("review_due_at")
    context = {
        "form": form,
        "results": results,
        "searched": bool(form.is_bound and form.is_valid() and form.cleaned_data["q"]),
        "due_for_review": [article.in_language(language) for article in mine],
        "now": timezone.now(),
    }
    template = "knowledge/staff/search.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _article_context(request: HttpRequest, article: Article) -> dict[str, Any]:
    languages = dict(settings.LANGUAGES)
    wanted = request.GET.get("lang", "")
    language = wanted if wanted in languages else search.current_language()
    return {
        "item": article.in_language(language),
        "languages": [(code, name) for code, name in settings.LANGUAGES if code != language],
        "services": list(article.services.all()),
        "may_mark_reviewed": reviews.may_mark_reviewed(request.user, article),  # type: ignore[arg-type]
        "now": timezone.now(),
    }


def _active_article(pk: int) -> Article:
    queryset = Article.objects.select_related("owner", "last_reviewed_by")
    return get_object_or_404(queryset, pk=pk, active=True)


@staff_required
@require_safe
def article(request: HttpRequest, pk: int) -> HttpResponse:
    """One article, public answer or agent script, with its review status."""
    context = _article_context(request, _active_article(pk))
    return render(request, "knowledge/staff/article.html", context)


@staff_required
@require_POST
def mark_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner (or an administrator) confirms the article is still right."""
    found = _active_article(pk)
    if not reviews.may_mark_reviewed(request.user, found):  # type: ignore[arg-type]
        return forbidden(
            request, _("Only the article's owner or an administrator can mark it reviewed.")
        )
    found = reviews.mark_reviewed(found, by=request.user)  # type: ignore[arg-type]
    done = _("Marked reviewed. The next review is due on %(date)s.") % {
        "date": formats.date_format(timezone.localtime(found.review_due_at), "DATE_FORMAT")
    }
    if request.htmx:
        context = {**_article_context(request, found), "review_message": done}
        return render(request, "knowledge/staff/article.html#review", context)
    messages.success(request, done)
    return redirect("staff:knowledge_article", pk=found.pk)


# --- The canned-response picker ---------------------------------------------------------------

PICKER_PARAMS = ("canned", "canned_field")


def without_picker_params(path: str, query: QueryDict) -> str:
    """The page's address without the picker's own parameters (where to come back to)."""
    query = query.copy()
    for name in PICKER_PARAMS:
        query.pop(name, None)
    return path + (f"?{query.urlencode()}" if query else "")


def picker_context(
    service_request: ServiceRequest,
    *,
    field: str = "text",
    private: bool = False,
    chosen_id: str | None = None,
    next_url: str = "",
    label: str | None = None,
) -> dict[str, Any]:
    """What ``knowledge/_canned_picker.html`` shows: the request's responses, and the
    chosen one's text, filled in for the request in the requester's language."""
    choices = choices_for(service_request)
    chosen: CannedResponse | None = None
    error = ""
    if chosen_id:
        chosen = next((c for c in choices if str(c.pk) == chosen_id), None)
        if chosen is None:
            error = _("That canned response is not available for this request.")
    language = search.current_language()
    picker_url = reverse("staff:canned_picker", args=[service_request.tracking_number])
    params = {"field": field, "private": "1" if private else "0"}
    if label:
        params["label"] = label
    query = urlencode(params)
    return {
        "service_request": service_request,
        "field": field,
        "private": private,
        "label": label or (_("Message to the requester") if private else _("Public reply")),
        "choices": [(c.pk, c.title_in(language), c.service_id is None) for c in choices],
        "chosen_id": chosen.pk if chosen else None,
        "text": (
            render_canned(chosen, service_request, service_request.language, private=private)
            if chosen
            else ""
        ),
        "error": error,
        "picker_url": picker_url,
        "picker_get_url": f"{picker_url}?{query}",
        "next": next_url,
    }


def _visible_request(request: HttpRequest, tracking_number: str) -> ServiceRequest:
    scope = request_scope(request)
    queryset = policy.visible(scope, ServiceRequest.objects.select_related("service"))
    found = queryset.filter(tracking_number=tracking_number[:16]).first()
    if found is None:
        raise Http404
    return found


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("staff:home")


@staff_required
@require_http_methods(["GET", "POST"])
def canned_picker(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """GET (HTMX): the picker again, with the chosen response's text in its box. POST (the
    picker's button, without JavaScript): back to the page the picker is on, which shows
    the text (``{% canned_picker %}`` reads ``?canned=``). Nothing is written either way."""
    service_request = _visible_request(request, tracking_number)
    if request.method == "POST":
        field = request.POST.get("canned_field", "text")[:60]
        path, _sep, query = _safe_next(request, request.POST.get("canned_next", "")).partition("?")
        params = QueryDict(query, mutable=True)
        params.update({"canned": request.POST.get("canned", "")[:20], "canned_field": field})
        return redirect(f"{path}?{params.urlencode()}#canned-picker-{field}")
    page = urlsplit(request.htmx.current_url or "") if request.htmx else None
    next_url = without_picker_params(page.path, QueryDict(page.query)) if page else ""
    context = picker_context(
        service_request,
        field=request.GET.get("field", "text")[:60],
        private=request.GET.get("private") == "1",
        chosen_id=request.GET.get("canned", "")[:20] or None,
        next_url=_safe_next(request, next_url),
        label=request.GET.get("label", "")[:100] or None,
    )
    return render(request, "knowledge/_canned_picker.html", context)
