"""Benchmarks for the case core. One command, prints a table:

    .venv/bin/python bench/run.py                       # temporary SQLite database
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/frontdoor_bench
    .venv/bin/python bench/run.py --history 1000000 --database-url postgres://…

It creates (or empties) the named database, migrates it, loads the demo catalogue, then measures
workflow.submit, a few transitions, e-mail delivery through the worker, and demo history
generation. Record results in docs/benchmarks.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare_database(url: str | None) -> str:
    if not url:
        folder = tempfile.mkdtemp(prefix="frontdoor-bench-")
        return f"sqlite:///{folder}/bench.sqlite3"
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        name = parts.path.lstrip("/")
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def timed(label: str, count: int, func) -> dict:  # type: ignore[no-untyped-def]
    samples = []
    started = time.perf_counter()
    for index in range(count):
        t0 = time.perf_counter()
        func(index)
        samples.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    samples.sort()
    return {
        "what": label,
        "n": count,
        "per_s": count / total,
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument(
        "--history", type=int, default=20000, help="demo history requests to generate and time"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = prepare_database(args.database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["FRONTDOOR_VAR_DIR"] = tempfile.mkdtemp(prefix="frontdoor-bench-var-")
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from frontdoor.cases import workflow
    from frontdoor.cases.models import Resolution, ServiceRequest
    from frontdoor.catalogue.models import Service
    from frontdoor.core.jobs import run_pending_jobs
    from frontdoor.demo.history import HistoryGenerator
    from frontdoor.demo.loader import create_people, load_catalogue
    from frontdoor.notifications.models import Notification

    load_catalogue()
    people = create_people()
    pothole = Service.objects.get(code="POTHOLE")
    pothole_questions = {
        q.code: (q.values.first().key if q.is_list else "5" if q.datatype == "number" else "x")
        for q in pothole.questions.filter(required=True)
    }
    rows = []

    def submit(index: int) -> None:
        workflow.submit(
            service=pothole,
            actor=workflow.Actor.resident(),
            channel="mobile",
            description=f"Benchmark report {index}",
            answers=pothole_questions,
            lat=38.95 + (index % 50) * 0.0005,
            long=-94.20 + (index % 40) * 0.0005,
            contact=workflow.Contact(name="Bench", email=f"bench{index}@example.org"),
        )

    rows.append(
        timed("workflow.submit (validate, route, SLA, events, outbox)", args.submits, submit)
    )
    ids = list(ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True)[: args.submits])
    staff = workflow.Actor.staff(people["staff"])
    rows.append(
        timed(
            "workflow.add_note",
            len(ids),
            lambda i: workflow.add_note(ids[i], "bench note", actor=staff),
        )
    )
    rows.append(
        timed(
            "workflow.close",
            len(ids),
            lambda i: workflow.close(ids[i], Resolution.FIXED, actor=staff),
        )
    )
    pending = Notification.objects.filter(status="pending").count()
    t0 = time.perf_counter()
    run_pending_jobs()
    seconds = time.perf_counter() - t0
    rows.append(
        {
            "what": "worker: deliver e-mails (render + locmem send)",
            "n": pending,
            "per_s": pending / seconds,
            "median_ms": float("nan"),
            "p95_ms": float("nan"),
        }
    )

    if args.history:
        generator = HistoryGenerator(seed=7)
        t0 = time.perf_counter()
        generator.generate(args.history, batch=5000)
        seconds = time.perf_counter() - t0
        rows.append(
            {
                "what": "demo history generation (requests + events)",
                "n": args.history,
                "per_s": args.history / seconds,
                "median_ms": float("nan"),
                "p95_ms": float("nan"),
            }
        )

    print(
        f"\nFrontdoor case-core benchmark — {connection.vendor}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}"
    )
    print(f"{'what':<58} {'n':>9} {'per s':>10} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(
            f"{row['what']:<58} {row['n']:>9,} {row['per_s']:>10.1f} "
            f"{row['median_ms']:>10.2f} {row['p95_ms']:>8.2f}"
        )
    if args.history:
        print(
            f"\nExtrapolated time for 1,000,000 history requests: "
            f"{1_000_000 / rows[-1]['per_s'] / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
