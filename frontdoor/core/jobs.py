"""Run queued background jobs in-process: used by tests and by `manage.py worker --once`.

Unlike the long-running worker loop, this does not close database connections between
jobs, so it can run inside a test's transaction.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def make_worker(worker_id: str, *, interval: float = 0, batch: bool = True) -> Worker:
    """A django-tasks-db worker over every queue of the default backend."""
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_pending_jobs(max_tasks: int | None = None, worker_id: str = "in-process") -> int:
    """Run ready jobs until none is left (or ``max_tasks`` ran). Returns how many ran."""
    worker = make_worker(worker_id)
    ran = 0
    while max_tasks is None or ran < max_tasks:
        ready = DBTaskResult.objects.ready().filter(backend_name="default")
        with exclusive_transaction(ready.db):
            task_result = ready.get_locked()
            if task_result is not None:
                task_result.claim(worker_id)
        if task_result is None:
            break
        worker.run_task(task_result)
        ran += 1
    return ran
