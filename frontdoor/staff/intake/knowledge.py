"""The knowledge-base slot of the intake page: a service's agent script and articles (F9),
and the article an information-only answer came from."""

from __future__ import annotations

from django.utils.translation import gettext as _

from frontdoor.cases.errors import InvalidInput
from frontdoor.catalogue.models import Service
from frontdoor.knowledge.models import Article, ArticleText
from frontdoor.knowledge.search import current_language, for_service


def articles_for(service: Service) -> list[ArticleText]:
    """Agent scripts first, then public articles linked to ``service``, in the page's
    language (English, flagged, where an article has no translation)."""
    return for_service(service, current_language())


def article_by_id(value: str) -> Article | None:
    """The active article the agent answered from (a form's field), None for none; raises
    ``InvalidInput`` for anything else (a stale or altered form)."""
    value = (value or "").strip()
    if not value:
        return None
    article = None
    if value.isascii() and value.isdigit():
        article = Article.objects.filter(pk=int(value), active=True).first()
    if article is None:
        raise InvalidInput({"article": [_("That article is not available any more.")]})
    return article
