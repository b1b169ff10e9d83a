"""Notices: e-mails that are not about a request's event (today: a knowledge article due
for review). They use the same outbox, delivery job, retries and "sent once" guarantee as
every notification; only the rows have no event. Instead, ``key`` says what a notice is
about — one notice per kind, recipient and key, so a repeated call queues nothing new — and
the e-mail's context is built from ``data`` when it is delivered, in the recipient's
language, by the function registered for its kind in ``CONTEXTS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from frontdoor.accounts.models import User
from frontdoor.notifications.models import Notification


class Obsolete(Exception):
    """What the notice was about is gone: nothing to send."""


def queue(kind: str, users: Iterable[User], *, key: str, data: dict[str, Any]) -> int:
    """Queue notice ``kind`` about ``key`` for each user with an e-mail address (inside the
    caller's transaction), once per user. Returns how many rows were new."""
    from frontdoor.notifications.tasks import deliver_notifications

    if kind not in CONTEXTS:
        raise ValueError(f"unknown notice kind {kind!r}")
    rows: dict[str, Notification] = {}
    for user in users:
        if user.email and user.email.lower() not in rows:
            rows[user.email.lower()] = Notification(
                kind=kind,
                key=key,
                data=data,
                recipient=user.email,
                user=user,
                language=user.language,
            )
    if not rows:
        return 0
    new = Notification.objects.filter(event__isnull=True, kind=kind, key=key)
    before = set(new.values_list("pk", flat=True))
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)
    created = [pk for pk in new.values_list("pk", flat=True) if pk not in before]
    if created:
        deliver_notifications.enqueue(created)
    return len(created)


def article_stale(notification: Notification) -> dict[str, Any]:
    """To the owner: the article is past its review date."""
    from frontdoor.knowledge.models import Article
    from frontdoor.notifications.services import absolute_url

    article = Article.objects.filter(pk=notification.data.get("article")).first()
    if article is None or not article.active:
        raise Obsolete
    shown = article.in_language(notification.language)
    return {
        "article": article,
        "title": shown.title,
        "article_url": absolute_url("staff:knowledge_article", article.pk)
        or absolute_url("admin:knowledge_article_change", article.pk),
    }


CONTEXTS: dict[str, Callable[[Notification], dict[str, Any]]] = {
    "article_stale": article_stale,
}


def context(notification: Notification) -> dict[str, Any]:
    return CONTEXTS[notification.kind](notification)
