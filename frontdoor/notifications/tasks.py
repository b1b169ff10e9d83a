from __future__ import annotations

from django_tasks import task

from frontdoor.notifications import services


@task()
def deliver_notifications(notification_ids: list[int]) -> dict[str, str]:
    """Deliver each notification that is still due; each is claimed on its own, so a
    failure of one (retried later by its own job) does not hold back the others."""
    return {str(pk): services.deliver(pk) for pk in notification_ids}
