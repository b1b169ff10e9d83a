from __future__ import annotations

from django_tasks import task

from frontdoor.notifications import services


@task()
def deliver_notification(notification_id: int) -> str:
    return services.deliver(notification_id)
