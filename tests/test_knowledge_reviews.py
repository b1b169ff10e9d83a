"""Stale articles: past its review interval an article is stale, and its owner is told by
e-mail once per stale period (also with two workers sweeping at once); marking it reviewed
starts a new period, which is told about again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from frontdoor.core import sweeps
from frontdoor.core.jobs import run_pending_jobs
from frontdoor.knowledge import reviews
from frontdoor.knowledge.models import Article
from frontdoor.notifications import services
from frontdoor.notifications.models import Notification
from tests import factories as f
from tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db

JAN_1 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def notices() -> list[Notification]:
    return list(Notification.objects.filter(kind="article_stale").order_by("pk"))


@pytest.fixture
def owner(db):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="olga", email="olga@city.example", is_staff=True)


@pytest.fixture
def article(city, owner):  # type: ignore[no-untyped-def]
    with at(JAN_1):
        return f.ArticleFactory(
            title_en="Bulk pickup",
            title_es="Recogida de voluminosos",
            body_en="Call us.",
            body_es="Llámenos.",
            owner=owner,
            review_interval_days=30,
        )


def test_an_article_is_stale_after_its_interval(article):
    assert article.review_due_at == JAN_1 + timedelta(days=30)
    assert not article.is_stale(JAN_1 + timedelta(days=29, hours=23))
    assert article.is_stale(JAN_1 + timedelta(days=30))
    assert list(reviews.stale(JAN_1 + timedelta(days=31))) == [article]
    article.active = False
    article.save()
    assert not article.is_stale(JAN_1 + timedelta(days=31))


def test_the_owner_is_told_once_per_stale_period_and_again_after_a_review(article, owner):
    with at(JAN_1 + timedelta(days=29)):
        assert reviews.sweep() == {"flagged": 0}
    with at(JAN_1 + timedelta(days=30, minutes=1)):
        assert reviews.sweep() == {"flagged": 1}
        assert reviews.sweep() == {"flagged": 0}
    with at(JAN_1 + timedelta(days=90)):
        assert reviews.sweep() == {"flagged": 0}
        # editing the text is not a review: still stale, still told only once
        article.refresh_from_db()
        article.body_en = "Call 311."
        article.save()
        assert reviews.sweep() == {"flagged": 0}
    (first,) = notices()
    assert first.recipient == owner.email and first.event_id is None
    article.refresh_from_db()
    assert article.stale_notified_at == JAN_1 + timedelta(days=30, minutes=1)

    reviewed = JAN_1 + timedelta(days=91)
    with at(reviewed):
        reviews.mark_reviewed(article, by=owner)
    article.refresh_from_db()
    assert article.last_reviewed_at == reviewed and article.last_reviewed_by == owner
    assert article.stale_notified_at is None and not article.is_stale(reviewed)
    with at(reviewed + timedelta(days=29)):
        assert reviews.sweep() == {"flagged": 0}
    with at(reviewed + timedelta(days=30)):
        assert reviews.sweep() == {"flagged": 1}
        assert reviews.sweep() == {"flagged": 0}
    assert len(notices()) == 2
    assert notices()[0].key != notices()[1].key


def test_the_notice_is_delivered_by_the_worker_in_the_owners_language(article, owner):
    owner.language = "es"
    owner.save()
    with at(JAN_1 + timedelta(days=31)):
        reviews.sweep()
        run_pending_jobs()
    (message,) = [m for m in mail.outbox if m.to == [owner.email]]
    assert message.subject == "Artículo pendiente de revisión: Recogida de voluminosos"
    assert "se revisó por última vez el" in message.body
    assert f"/staff/knowledge/{article.pk}/" in message.body  # the staff page, with its button
    html = message.alternatives[0][0]
    assert 'lang="es"' in html and "Recogida de voluminosos" in html
    assert "seguimiento" not in html.lower()  # not a request: no tracking number
    assert notices()[0].status == Notification.Status.SENT
    run_pending_jobs()
    assert len([m for m in mail.outbox if m.to == [owner.email]]) == 1


def test_english_owner_gets_english_and_an_untranslated_title_falls_back(city, owner):
    with at(JAN_1):
        article = f.ArticleFactory(title_en="Only English", owner=owner, review_interval_days=1)
    with at(JAN_1 + timedelta(days=2)):
        reviews.sweep()
    message = services.render(notices()[0])
    assert message.subject == "Knowledge article due for review: Only English"
    assert "which you own" in message.body and str(article.pk) in message.body


def test_without_a_reachable_owner_the_administrators_are_told(city, owner):
    admin = f.UserFactory(username="root", email="root@city.example", is_superuser=True)
    f.UserFactory(username="gone", email="gone@city.example", is_superuser=True, is_active=False)
    owner.email = ""
    owner.save()
    with at(JAN_1):
        no_email = f.ArticleFactory(owner=owner, review_interval_days=1)
        no_owner = f.ArticleFactory(owner=None, review_interval_days=1)
    with at(JAN_1 + timedelta(days=2)):
        assert reviews.sweep() == {"flagged": 2}
    assert {(n.data["article"], n.recipient) for n in notices()} == {
        (no_email.pk, admin.email),
        (no_owner.pk, admin.email),
    }


def test_nobody_to_tell_still_counts_the_period_as_flagged(city):
    with at(JAN_1):
        article = f.ArticleFactory(owner=None, review_interval_days=1)
    with at(JAN_1 + timedelta(days=2)):
        assert reviews.sweep() == {"flagged": 1}
        assert reviews.sweep() == {"flagged": 0}
    assert notices() == []
    article.refresh_from_db()
    assert article.stale_notified_at is not None


def test_a_notice_for_an_article_deactivated_meanwhile_is_skipped(article):
    with at(JAN_1 + timedelta(days=31)):
        reviews.sweep()
    Article.objects.filter(pk=article.pk).update(active=False)
    run_pending_jobs()
    assert notices()[0].status == Notification.Status.SKIPPED
    assert mail.outbox == []


def test_a_longer_interval_ends_the_stale_period(article):
    with at(JAN_1 + timedelta(days=31)):
        assert reviews.sweep() == {"flagged": 1}
        article.refresh_from_db()
        article.review_interval_days = 60  # no longer stale: re-armed
        article.save()
        assert article.stale_notified_at is None
    with at(JAN_1 + timedelta(days=61)):
        assert reviews.sweep() == {"flagged": 1}
    assert len(notices()) == 2


def test_a_shorter_interval_while_stale_does_not_tell_again(article):
    with at(JAN_1 + timedelta(days=31)):
        assert reviews.sweep() == {"flagged": 1}
        article.refresh_from_db()
        article.review_interval_days = 10  # more overdue, same stale period
        article.save()
        assert reviews.sweep() == {"flagged": 0}
    assert len(notices()) == 1


def test_the_sweep_is_registered_with_the_worker():
    import frontdoor.core.registered_sweeps  # noqa: F401 - as the worker command does

    registered = sweeps.REGISTRY["stale_articles"]
    assert registered.every == timedelta(hours=1)
    assert registered.func() == {"flagged": 0}


def test_who_may_mark_reviewed(article, owner):
    other_staff = f.UserFactory(username="pat", is_staff=True)
    admin = f.administrator("root")
    resident = f.UserFactory(username="res")
    assert reviews.may_mark_reviewed(owner, article)
    assert reviews.may_mark_reviewed(admin, article)
    assert not reviews.may_mark_reviewed(other_staff, article)
    assert not reviews.may_mark_reviewed(resident, article)
    owner.is_active = False
    assert not reviews.may_mark_reviewed(owner, article)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_tell_each_owner_once(city, owner):
    with at(JAN_1):
        articles = [f.ArticleFactory(owner=owner, review_interval_days=1) for _ in range(6)]
    with at(JAN_1 + timedelta(days=2)):
        results = run_together([reviews.sweep, reviews.sweep])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["flagged"] for r in results) == len(articles)  # type: ignore[index]
    assert sorted(n.data["article"] for n in notices()) == sorted(a.pk for a in articles)
