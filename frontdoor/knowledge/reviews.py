"""Keeping articles true: an article past its review interval is stale; its owner is told
once per stale period by e-mail, and marking it reviewed starts a new period.

The sweep only finds candidates (index ``article_review_due_idx``); :func:`flag_stale`
claims each with a conditional update of ``stale_notified_at`` and queues the notice in the
same transaction, so however many workers sweep at once the owner is told once. Saving an
article whose review is no longer due clears the marker (``Article.save``), which re-arms
the notice for the next stale period.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.knowledge.models import Article

BATCH = 500


def stale(now: datetime | None = None) -> QuerySet[Article]:
    return Article.objects.filter(active=True, review_due_at__lte=now or timezone.now())


def mark_reviewed(
    article: Article | int, *, by: User | None, at: datetime | None = None
) -> Article:
    """Record that ``by`` checked the article is still right. Side effects:
    ``last_reviewed_at``/``last_reviewed_by`` set, the next review due date moved on, and
    the stale notice re-armed (``Article.save``)."""
    with transaction.atomic():
        pk = article.pk if isinstance(article, Article) else article
        locked = Article.objects.select_for_update().get(pk=pk)
        locked.last_reviewed_at = at or timezone.now()
        locked.last_reviewed_by = by
        locked.save()
    return locked


def may_mark_reviewed(user: User, article: Article) -> bool:
    """The owner and administrators (who can change articles) may mark one reviewed."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.pk == article.owner_id or user.has_perm("knowledge.change_article")


def flag_stale(pk: int, now: datetime) -> bool:
    """Tell the owner the article is stale, if nobody has yet in this stale period.
    Side effects: ``stale_notified_at`` set and an ``article_stale`` notice queued (to the
    owner, or to the administrators when it has no reachable owner)."""
    from frontdoor.notifications import notices

    with transaction.atomic():
        claimed = Article.objects.filter(
            pk=pk, active=True, review_due_at__lte=now, stale_notified_at__isnull=True
        ).update(stale_notified_at=now)
        if not claimed:
            return False
        article = Article.objects.select_related("owner").get(pk=pk)
        notices.queue(
            "article_stale",
            _recipients(article),
            key=f"article:{article.pk}:{article.review_due_at.isoformat()}",
            data={"article": article.pk},
        )
    return True


def _recipients(article: Article) -> list[User]:
    owner = article.owner
    if owner is not None and owner.is_active and owner.email:
        return [owner]
    return list(User.objects.filter(is_superuser=True, is_active=True).exclude(email=""))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Flag every article that became stale since the last sweep (once each)."""
    now = now or timezone.now()
    flagged = 0
    candidates = stale(now).filter(stale_notified_at__isnull=True).order_by("review_due_at", "pk")
    for pk in list(candidates.values_list("pk", flat=True)[:BATCH]):
        if flag_stale(pk, now):
            flagged += 1
    return {"flagged": flagged}
