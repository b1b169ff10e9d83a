"""Periodic sweeps run by the worker: idempotent jobs that look at the whole database
(notification repair today; reminders, SLA checks and digests build on this hook).

Every worker process runs the sweeper, but a sweep runs in only one of them at a time:
it first takes a lease row with a conditional update.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from frontdoor.core.models import Lease

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    every: timedelta
    func: Callable[[], Any]


REGISTRY: dict[str, Sweep] = {}


def sweep(name: str, every: timedelta) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        REGISTRY[name] = Sweep(name, every, func)
        return func

    return register


def take_lease(name: str, holder: str, duration: timedelta) -> bool:
    """True if ``holder`` now holds the lease ``name`` until ``now + duration``."""
    now = timezone.now()
    with transaction.atomic():
        taken = Lease.objects.filter(Q(expires_at__lte=now) | Q(holder=holder), name=name).update(
            holder=holder, expires_at=now + duration
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, holder=holder, expires_at=now + duration)
            return True
        except IntegrityError:
            return False


def run_due(holder: str) -> dict[str, Any]:
    """Run every registered sweep whose period has elapsed and whose lease we get."""
    results: dict[str, Any] = {}
    for item in list(REGISTRY.values()):
        if not take_lease(f"sweep:{item.name}", holder, item.every):
            continue
        try:
            result = item.func()
        except Exception:
            logger.exception("sweep %s failed", item.name)
            result = {"error": True}
        Lease.objects.filter(name=f"sweep:{item.name}").update(
            last_run_at=timezone.now(), last_result=result if isinstance(result, dict) else {}
        )
        results[item.name] = result
    return results


class Sweeper(threading.Thread):
    """Background thread of the worker process that runs due sweeps."""

    def __init__(self, holder: str, interval: float) -> None:
        super().__init__(name="frontdoor-sweeper", daemon=True)
        self.holder = holder
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            close_old_connections()
            try:
                results = run_due(self.holder)
                if results:
                    logger.info("sweeps ran: %s", results)
            except Exception:
                logger.exception("sweeper loop failed; retrying")
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)
