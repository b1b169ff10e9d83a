"""Case page benchmark (issue #3): server time of the staff case page with 1,000,000 requests.

    .venv/bin/python bench/staff_case.py                          # frontdoor_bench311
    .venv/bin/python bench/staff_case.py --repeat 500 --database-url postgres://…

In one process, through Django's test client (no HTTP server, no network): each
measurement is the whole server side of one page view — middleware, the session, the
staff scope, the page's queries and its template — on a request drawn at random from the
database. It prints, per scenario, the median and 95th percentile time, the median
number of SQL queries, the issue's target (median ≤ 100 ms) and whether it is met.

Scenarios: the case page for a member of the request's group (every action form, the
group's members for "assign"), for an administrator, and for a call-taker; "near me" for
a street-crew member at a random point of the city.

It reads the database named by ``--database-url`` (default ``BENCH_DATABASE_URL`` or
``frontdoor_bench311``, the one ``bench/open311.py prepare`` loads) and never creates,
drops or changes requests; signing the demo people in writes a session row each (and
their last-login time). It refuses to run while ``wrk`` or gunicorn run (their load would
be in the figures) and while ``open311.py prepare`` is loading. Record results in
docs/benchmarks.md with the date.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/frontdoor_bench311"
TARGET_MS = 100.0
sys.path.insert(0, str(ROOT))


def busy() -> list[str]:
    """Processes that would distort the figures or are still loading the database."""
    found = []
    for pattern in ("wrk ", "gunicorn", "open311.py prepare"):
        result = subprocess.run(
            ["pgrep", "-af", pattern], capture_output=True, text=True, check=False
        )
        found += [
            line
            for line in result.stdout.splitlines()
            if "pgrep" not in line and "staff_case.py" not in line
        ]
    return found


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    # Static files as a deploy serves them (hashed names from the manifest), collected into
    # a folder of this run's own.
    os.environ["FRONTDOOR_VAR_DIR"] = tempfile.mkdtemp(prefix="frontdoor-bench-case-")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def sample_requests(count: int, seed: int) -> list[tuple[str, int | None]]:
    """(tracking number, group id) of ``count`` requests drawn at random (by id, so the
    same seed draws the same requests on the same database)."""
    from django.db import connection

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM cases_servicerequest")
        low, high = cursor.fetchone()
        drawn = []
        for _index in range(count):
            cursor.execute(
                "SELECT tracking_number, group_id FROM cases_servicerequest "
                "WHERE id >= %s ORDER BY id LIMIT 1",
                [rng.randint(low, high)],
            )
            drawn.append(cursor.fetchone())
    return drawn


def measure(label: str, count: int, get: Callable[[int], tuple[Any, int]]) -> dict[str, Any]:
    """Time ``get(i)`` (which returns a response and its query count) ``count`` times."""
    samples, queries = [], []
    for index in range(count):
        started = time.perf_counter()
        response, query_count = get(index)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code} on call {index}")
        queries.append(query_count)
    samples.sort()
    median = statistics.median(samples)
    return {
        "what": label,
        "n": count,
        "median_ms": median,
        "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)],
        "queries": statistics.median(queries),
        "met": median <= TARGET_MS,
    }


class Counter:
    """Counts the SQL statements of one page view without Django's debug cursor (which
    would keep every statement's text and cost time itself)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from frontdoor.accounts.models import User
    from frontdoor.catalogue.models import City, WorkGroup

    total = connection.cursor()
    total.execute("SELECT count(*) FROM cases_servicerequest")
    requests_in_db = total.fetchone()[0]
    print(f"Database: {requests_in_db:,} requests.")
    if requests_in_db < args.minimum:
        raise SystemExit(f"fewer than {args.minimum:,} requests: load the database first")

    sample = sample_requests(args.repeat + args.warmup, args.seed)
    clients: dict[str, Client] = {}

    def client_for(username: str) -> Client:
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        return clients[username]

    member_of = {group.pk: f"{group.code.lower()}-1" for group in WorkGroup.objects.only("code")}

    def page_for(who: Callable[[int | None], str]) -> Callable[[int], tuple[Any, int]]:
        def get(index: int) -> tuple[Any, int]:
            number, group_id = sample[args.warmup + index]
            counter = Counter()
            client = client_for(who(group_id))
            with connection.execute_wrapper(counter):
                response = client.get(f"/staff/requests/{number}/")
            return response, counter.count

        return get

    city = City.current()
    rng = random.Random(args.seed)

    def near_me(index: int) -> tuple[Any, int]:
        lat = rng.uniform(city.min_lat, city.max_lat)
        long = rng.uniform(city.min_lon, city.max_lon)
        counter = Counter()
        with connection.execute_wrapper(counter):
            response = client_for("staff").get(
                "/staff/near-me/", {"lat": f"{lat:.6f}", "long": f"{long:.6f}", "whose": "groups"}
            )
        return response, counter.count

    scenarios = [
        (
            "case page, member of its group (all action forms)",
            page_for(lambda g: member_of.get(g, "admin")),
        ),
        ("case page, administrator", page_for(lambda g: "admin")),
        ("case page, call-taker (agent)", page_for(lambda g: "agent")),
        ("near me, street crew member, their groups' open work", near_me),
    ]
    # Warm up: templates, the catalogue cache, connections, each person's session.
    for _label, get in scenarios:
        for index in range(-args.warmup, 0):
            get(index)
    rows = [measure(label, args.repeat, get) for label, get in scenarios]

    print()
    print("| what | n | median ms | p95 ms | queries | target | met? |")
    print("|---|---:|---:|---:|---:|---|---|")
    for row in rows:
        print(
            f"| {row['what']} | {row['n']:,} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['queries']:.0f} | median ≤ {TARGET_MS:.0f} ms | "
            f"{'yes' if row['met'] else 'no'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=300, help="measured views per scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=311)
    parser.add_argument(
        "--minimum", type=int, default=1_000_000, help="refuse a database with fewer requests"
    )
    parser.add_argument("--force", action="store_true", help="run even if wrk/gunicorn run")
    args = parser.parse_args()
    others = busy()
    if others and not args.force:
        print("Not now: these would distort the figures or are still loading:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in others), file=sys.stderr)
        raise SystemExit(2)
    setup_django(args.database_url)
    run(args)


if __name__ == "__main__":
    main()
