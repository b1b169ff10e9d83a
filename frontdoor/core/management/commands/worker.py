"""The one background process: runs queued jobs and the periodic sweeps.

Start as many as you like against one database: jobs are claimed with row locks by
django-tasks-db, and each sweep runs in only one worker at a time (see sweeps.py).
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from frontdoor.core import sweeps
from frontdoor.core.jobs import make_worker, run_pending_jobs

logger = logging.getLogger("frontdoor.worker")


class Command(BaseCommand):
    help = "Run background jobs and periodic sweeps (e-mail delivery, reminders, SLA checks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when idle (default 1)."
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the sweeps once and every queued job, then exit.",
        )

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        import frontdoor.core.registered_sweeps  # noqa: F401 - registers the sweeps

        worker_id = f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"[:64]
        if once:
            self.stdout.write(f"sweeps: {sweeps.run_due(worker_id)}")
            run_pending_jobs()
            self.stdout.write("queued jobs done")
            return
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        sweeper = sweeps.Sweeper(worker_id, settings.FRONTDOOR_SWEEP_INTERVAL)
        sweeper.start()
        self.stdout.write(
            f"Frontdoor worker {worker_id} started (sweeps every "
            f"{settings.FRONTDOOR_SWEEP_INTERVAL}s)."
        )
        worker = make_worker(worker_id, interval=interval, batch=False)
        worker.configure_signals()
        try:
            worker.run()
        finally:
            sweeper.stopping.set()
