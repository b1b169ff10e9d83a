"""Phone-intake caller lookup on a large request table (PostgreSQL).

    .venv/bin/python bench/intake.py --database-url postgres://postgres@127.0.0.1:5432/frontdoor_intake_bench
    .venv/bin/python bench/intake.py --database-url … --requests 1000000 --keep   # re-run on it

Creates (or empties) the database, migrates it, loads the demo catalogue and a small demo
history, then copies those requests with SQL until the table holds ``--requests`` rows: 60 %
with a phone number (about 300,000 different callers, written in four different ways), 50 %
with an e-mail address in mixed case. Then it times, in one process:

- ``callers.lookup`` for a number that exists (typed another way than stored), an e-mail
  that exists (other case), and a number nobody has;
- the intake page's server time with such a lookup (Django test client, signed in agent);
- 1,000 single-row inserts of a request with a phone and an e-mail, with and without the two
  new partial indexes (the cost they add to every POST).

and prints the query plan of the phone lookup. Record results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import prepare_database  # noqa: E402

SEED_REQUESTS = 2000
# SQL run without parameters (so "%" is literal): g is the copy's number.
AREA, LINE = "800 + g % 100", "lpad((g / 100 % 3000)::text, 4, '0')"
PHONE_FORMS = (
    f"format('(%s) 555-%s', {AREA}, {LINE})",
    f"format('%s-555-%s', {AREA}, {LINE})",
    f"format('+1 %s 555 %s', {AREA}, {LINE})",
    f"format('%s.555.%s', {AREA}, {LINE})",
)


@functools.cache
def _seed_ids() -> tuple[int, ...]:
    from frontdoor.cases.models import ServiceRequest

    return tuple(ServiceRequest.objects.order_by("pk").values_list("pk", flat=True)[:SEED_REQUESTS])


def _copy_sql(numbers: str, phone: str, email: str) -> str:
    """INSERT … SELECT copying seed requests (round robin) for each g in ``numbers``."""
    from frontdoor.cases.models import ServiceRequest

    table = ServiceRequest._meta.db_table
    skipped = {"id", "tracking_number", "contact_phone", "contact_email", "requester_secret"}
    copied = [f.column for f in ServiceRequest._meta.concrete_fields if f.column not in skipped]
    seed_ids = _seed_ids()
    seeds = ", ".join(map(str, seed_ids))
    return f"""
        INSERT INTO {table} ({", ".join(copied)}, tracking_number, contact_phone,
                             contact_email, requester_secret)
        SELECT {", ".join(f"s.{c}" for c in copied)}, (9000000000 + g)::text,
               {phone}, {email}, md5(g::text)::uuid
        FROM {numbers} AS g
        JOIN {table} s ON s.id = (ARRAY[{seeds}])[1 + g % {len(seed_ids)}]
    """


def fill(total: int) -> None:
    """Copy the seed requests until ``total`` rows exist (phones and e-mails varied)."""
    from django.db import connection

    have = SEED_REQUESTS
    phone = (
        "CASE WHEN g % 10 < 6 THEN CASE g % 4 "
        + " ".join(f"WHEN {i} THEN {form}" for i, form in enumerate(PHONE_FORMS))
        + " END ELSE '' END"
    )
    email = "CASE WHEN g % 2 = 0 THEN format('Caller%s@Example.ORG', g / 100 % 5000) ELSE '' END"
    batch = 200_000
    with connection.cursor() as cursor:
        for start in range(1, total - have + 1, batch):
            end = min(start + batch - 1, total - have)
            cursor.execute(_copy_sql(f"generate_series({start}, {end})", phone, email))
            print(f"  {have + end:,} requests", flush=True)
        cursor.execute("ANALYZE cases_servicerequest")


def timed(label: str, count: int, func) -> dict:  # type: ignore[no-untyped-def]
    samples = []
    for index in range(count):
        t0 = time.perf_counter()
        func(index)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "what": label,
        "n": count,
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
    }


def insert_cost(count: int) -> tuple[float, float]:
    """Median ms of a one-row insert with a phone and an e-mail, with the two partial
    indexes and then without them (dropped and rebuilt; the rows are deleted again)."""
    from django.db import connection

    from frontdoor.cases.models import ServiceRequest

    def run(offset: int) -> float:
        samples = []
        with connection.cursor() as cursor:
            for index in range(count):
                g = 5_000_000 + offset + index
                sql = _copy_sql(
                    f"(SELECT {g})", f"'(816) 555-{index % 10000:04d}'", f"'Bench{g}@Example.org'"
                )
                t0 = time.perf_counter()
                cursor.execute(sql)
                samples.append((time.perf_counter() - t0) * 1000)
            cursor.execute("DELETE FROM cases_servicerequest WHERE tracking_number >= '9005000000'")
        return statistics.median(samples)

    names = ("req_contact_phone_idx", "req_contact_email_idx")
    indexes = [index for index in ServiceRequest._meta.indexes if index.name in names]
    with_indexes = run(0)
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(ServiceRequest, index)
    try:
        without = run(count)
    finally:
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.add_index(ServiceRequest, index)
    return with_indexes, without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse a filled database")
    args = parser.parse_args()

    url = args.database_url if args.keep else prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    os.environ["FRONTDOOR_VAR_DIR"] = tempfile.mkdtemp(prefix="frontdoor-bench-var-")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from frontdoor.accounts.models import User
    from frontdoor.cases.models import ServiceRequest
    from frontdoor.staff.intake import callers

    if connection.vendor != "postgresql":
        raise SystemExit("This benchmark fills the table with PostgreSQL SQL: give --database-url.")
    call_command("migrate", verbosity=0)
    if not args.keep or not ServiceRequest.objects.exists():
        from frontdoor.demo.history import HistoryGenerator
        from frontdoor.demo.loader import create_people, load_catalogue

        load_catalogue()
        create_people()
        HistoryGenerator(seed=7).generate(SEED_REQUESTS, batch=SEED_REQUESTS)
        t0 = time.perf_counter()
        fill(args.requests)
        print(f"filled in {time.perf_counter() - t0:.0f} s")
    total = ServiceRequest.objects.count()

    # Stored as "(8xx) 555-nnnn" etc.; typed as digits with the country code.
    def phone(index: int) -> str:
        g = 1 + index * 7919 % 1_000_000
        return f"+1{800 + g % 100}555{g // 100 % 3000:04d}"

    rows = [
        timed(
            "lookup: existing phone, typed differently",
            args.lookups,
            lambda i: callers.lookup(phone(i)),
        ),
        timed(
            "lookup: existing e-mail, other case",
            args.lookups,
            lambda i: callers.lookup(f"caller{i * 37 % 5000}@example.org"),
        ),
        timed(
            "lookup: a number nobody has",
            args.lookups,
            lambda i: callers.lookup(f"913-777-{i:04d}"),
        ),
    ]
    agent = User.objects.filter(is_agent=True).first()
    client = Client()
    client.force_login(agent)
    rows.append(
        timed(
            "GET /staff/intake/?lookup=… (server time, test client)",
            args.lookups,
            lambda i: client.get("/staff/intake/", {"lookup": phone(i)}),
        ),
    )
    found = callers.lookup(phone(3))
    with_indexes, without = insert_cost(1000)

    sample = callers._matching_requests(callers.parse(phone(3)))
    sql, params = sample.order_by("-requested_at", "-pk")[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    print(f"\nPhone intake lookup — {total:,} requests, {time.strftime('%Y-%m-%d')}")
    print(f"{'what':<58} {'n':>6} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['what']:<58} {row['n']:>6} {row['median_ms']:>10.2f} {row['p95_ms']:>8.2f}")
    print(f"(a sample phone found {len(found.requests)} requests and {len(found.callers)} callers)")
    print(
        f"single-row insert with phone + e-mail: {with_indexes:.3f} ms with the two partial"
        f" indexes, {without:.3f} ms without"
    )
    print("\nplan of the phone lookup:\n" + plan)


if __name__ == "__main__":
    main()
