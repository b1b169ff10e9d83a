"""The worker process: runs queued jobs and periodic sweeps; several can run at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from frontdoor.core import sweeps
from frontdoor.core.models import Lease
from frontdoor.notifications.models import Notification
from tests.conftest import submit_pothole

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_worker_once_runs_sweeps_and_delivers_queued_mail(pothole, capsys):
    submit_pothole(pothole)
    call_command("worker", once=True)
    out = capsys.readouterr().out
    assert "notifications" in out and "queued jobs done" in out
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
    assert any("ana@example.org" in m.to for m in mail.outbox)
    assert Lease.objects.filter(name="sweep:notifications", last_run_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_sweep_runs_once_per_period_whoever_asks():
    calls = []
    sweeps.REGISTRY["test-sweep"] = sweeps.Sweep(
        "test-sweep", timedelta(minutes=5), lambda: calls.append(1) or {"ok": 1}
    )
    try:
        sweeps.run_due("worker-a")
        sweeps.run_due("worker-b")  # within the period: the lease is held
        assert len(calls) == 1
        Lease.objects.filter(name="sweep:test-sweep").update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        sweeps.run_due("worker-b")
        assert len(calls) == 2
    finally:
        del sweeps.REGISTRY["test-sweep"]


SETUP = """
from frontdoor.cases import workflow
from tests import factories as f
f.CityFactory()
service = f.ServiceFactory(code="POTHOLE")
workflow.submit(service=service, actor=workflow.Actor.resident(), channel="web",
                lat=38.95, long=-94.28,
                contact=workflow.Contact(email="ana@example.org"))
"""


def test_real_worker_process_sends_mail_and_stops_cleanly(tmp_path, smtp_server):
    """`make run` starts this process; here it delivers over real SMTP and exits on SIGTERM."""
    inbox, port = smtp_server
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/worker.sqlite3",
        "FRONTDOOR_VAR_DIR": str(tmp_path),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SWEEP_INTERVAL": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    subprocess.run([*manage, "shell", "-c", SETUP], env=env, check=True, timeout=60, cwd=ROOT)
    worker = subprocess.Popen(
        [*manage, "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(inbox.messages) < 2:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    to_ana = [m for m in inbox.messages if b"To: ana@example.org" in m]
    assert len(to_ana) == 1, output  # the confirmation, once (the other is the group's)
    assert worker.returncode == 0, output
    assert "started" in output
