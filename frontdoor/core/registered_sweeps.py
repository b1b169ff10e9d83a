"""The sweeps the worker runs. Later features (reminders, SLA warnings, digests) add theirs
here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from frontdoor.core.sweeps import sweep


@sweep("notifications", every=timedelta(minutes=1))
def repair_notifications() -> dict[str, Any]:
    from frontdoor.notifications.services import sweep as notification_sweep

    return notification_sweep()


@sweep("service_levels", every=timedelta(minutes=1))
def check_service_levels() -> dict[str, Any]:
    """At-risk warnings to the group and missed-target alerts to supervisors, once each."""
    from frontdoor.cases.service_levels import sweep as service_level_sweep

    return service_level_sweep()


@sweep("idle_reminders", every=timedelta(minutes=5))
def send_idle_reminders() -> dict[str, Any]:
    """Untouched requests remind their assignee or group, later their supervisors; once each."""
    from frontdoor.cases.idle import sweep as idle_sweep

    return idle_sweep()


@sweep("stale_articles", every=timedelta(hours=1))
def flag_stale_articles() -> dict[str, Any]:
    """Knowledge articles past their review date: their owner is told, once per period."""
    from frontdoor.knowledge.reviews import sweep as review_sweep

    return review_sweep()


@sweep("prune_jobs", every=timedelta(hours=6))
def prune_finished_jobs() -> dict[str, Any]:
    """Keep the job table small: finished jobs older than a week are deleted."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=7)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"deleted": deleted}


@sweep("prune_idempotency", every=timedelta(hours=6))
def prune_idempotency_keys() -> dict[str, Any]:
    """Open311 clients retry within minutes or hours; their keys are kept for 7 days."""
    from django.utils import timezone

    from frontdoor.open311.models import IdempotentPost

    cutoff = timezone.now() - timedelta(days=7)
    deleted, _ = IdempotentPost.objects.filter(created_at__lt=cutoff).delete()
    return {"deleted": deleted}


@sweep("pending_photos", every=timedelta(hours=1))
def prune_pending_photos() -> dict[str, Any]:
    """Photos kept for report forms that were never sent are deleted after a day."""
    from frontdoor.portal.photos import prune

    return prune()
