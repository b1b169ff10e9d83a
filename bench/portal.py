"""Resident portal benchmark: median server time of its pages. One command, prints a table:

    .venv/bin/python bench/portal.py                      # temporary SQLite, demo city + history
    .venv/bin/python bench/portal.py --history 100000
    .venv/bin/python bench/portal.py --database-url postgres://postgres@127.0.0.1:5432/big

Without --database-url it creates a temporary SQLite database with the demo city and
--history generated requests. With --database-url it uses that database as it is (migrated;
the demo city loaded only if it has no city), e.g. one made by
`DATABASE_URL=… manage.py demo_city --requests 1000000` (an empty database gets the demo city
and --history requests first).

Each page is requested through Django's full stack in this process (middleware, sessions,
CSRF, templates; no network and no web server): home, a service search, the service form,
the tracking page of random existing requests, and the submission of the form (a pothole
report at a random place, no photos; the nearby check included). Targets (issue #4): pages
≤ 50 ms, submission ≤ 150 ms median with 1,000,000 requests.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGETS = {"page": 50.0, "submit": 150.0}


def measure(label: str, kind: str, count: int, call) -> dict:  # type: ignore[no-untyped-def]
    from django.db import connection

    for index in range(min(5, count)):  # warm the per-process caches
        call(index)
    samples = []
    queries = []

    def count_query(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_query):
        call(count)
    cpu = []
    for index in range(count):
        t0, c0 = time.perf_counter(), time.process_time()
        call(index)
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    samples.sort()
    median = statistics.median(samples)
    return {
        "what": label,
        "n": count,
        "queries": len(queries),
        "median": median,
        "p95": samples[max(0, int(len(samples) * 0.95) - 1)],
        # CPU time of this process (the database's own work on PostgreSQL is not in it):
        # on a busy machine the wall-clock median also counts waiting for a core.
        "cpu": statistics.median(cpu),
        "target": TARGETS[kind],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--history", type=int, default=20000)
    parser.add_argument("-n", type=int, default=200, help="requests per row")
    args = parser.parse_args()

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        folder = tempfile.mkdtemp(prefix="frontdoor-portal-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    os.environ["FRONTDOOR_VAR_DIR"] = tempfile.mkdtemp(prefix="frontdoor-portal-bench-var-")
    os.environ["PORTAL_SUBMISSIONS_PER_WINDOW"] = "0"  # no rate limit for the bench
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    # Pages link static files through the production (manifest) storage, as deployed.
    call_command("collectstatic", interactive=False, verbosity=0)
    from frontdoor.cases.models import ServiceRequest
    from frontdoor.catalogue.models import City, Service
    from frontdoor.demo.loader import load_catalogue, load_demo_addresses
    from frontdoor.portal import nearby

    if not City.objects.exists():
        load_catalogue()
        load_demo_addresses()
        if args.history:
            from frontdoor.demo.history import HistoryGenerator

            print(f"Generating {args.history:,} requests of demo history…", flush=True)
            HistoryGenerator(seed=11).generate(args.history, batch=5000)
    total = ServiceRequest.objects.count()
    pothole = Service.objects.get(code="POTHOLE")
    numbers = list(
        ServiceRequest.objects.filter(service__private=False)
        .order_by("-requested_at")
        .values_list("tracking_number", flat=True)[:20000]
    )
    rng = random.Random(4)
    sample = rng.sample(numbers, min(len(numbers), args.n + 10)) if numbers else []
    client = Client()
    city = City.current()

    def get(path: str, **headers: str):  # type: ignore[no-untyped-def]
        def call(index: int) -> None:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)

        return call

    def track(index: int) -> None:
        response = client.get(f"/track/{sample[index % len(sample)]}/")
        assert response.status_code == 200, response.status_code

    answers = {}
    for question in pothole.questions.filter(required=True, variable=True):
        key = question.values.first().key if question.is_list else "5"
        answers[f"q_{question.code}"] = key

    def submit(index: int) -> None:
        lat = rng.uniform(city.min_lat + 0.01, city.max_lat - 0.01)
        lon = rng.uniform(city.min_lon + 0.01, city.max_lon - 0.01)
        while not city.covers(lat, lon):
            lat = rng.uniform(city.min_lat, city.max_lat)
            lon = rng.uniform(city.min_lon, city.max_lon)
        seen = ",".join(n.request.tracking_number for n in nearby.open_nearby(pothole, lat, lon))
        data = {
            **answers,
            "description": f"Bench report {index}",
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
            "email": f"bench{index}@example.org",
            "nearby_seen": seen,
            "action": "submit",
        }
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.post("/report/POTHOLE/", data)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu_timings.append((time.process_time() - c0) * 1000)
        assert response.status_code == 302, response.content.decode()[:2000]

    rows = [
        measure("home page", "page", args.n, get("/")),
        measure("home page, search “missed trash” (HTMX fragment)", "page", args.n,
                get("/?q=missed+trash", **{"HX-Request": "true", "HX-Target": "search-results"})),
        measure("service form /report/POTHOLE/", "page", args.n, get("/report/POTHOLE/")),
    ]  # fmt: skip
    if sample:
        rows.append(measure("tracking page /track/<number>/", "page", args.n, track))
    timings: list[float] = []
    cpu_timings: list[float] = []
    row = measure("submission (POST, no photos; nearby check included)", "submit", args.n, submit)
    # Only the POST is server time; the nearby look-up that builds the form data is not.
    timings = sorted(timings[-args.n :])
    row["median"], row["p95"] = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
    row["cpu"] = statistics.median(cpu_timings[-args.n :])
    rows.append(row)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nFrontdoor portal benchmark — {connection.vendor}, {total:,} requests in the "
        f"database, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d')}, load average {load:.1f}"
    )
    print(
        f"{'what':<56} {'n':>5} {'queries':>7} {'median ms':>10} {'p95 ms':>8} "
        f"{'cpu ms':>7} {'target':>7}"
    )
    for r in rows:
        verdict = "ok" if r["median"] <= r["target"] else "MISSED"
        print(
            f"{r['what']:<56} {r['n']:>5} {r['queries']:>7} {r['median']:>10.2f} "
            f"{r['p95']:>8.2f} {r['cpu']:>7.2f} {r['target']:>5.0f} {verdict}"
        )


if __name__ == "__main__":
    main()
