"""Open311 API benchmark (issue #5): gunicorn + wrk against a million-request PostgreSQL database.

    .venv/bin/python bench/open311.py prepare      # create, migrate, load 1,000,000 requests
    .venv/bin/python bench/open311.py run          # gunicorn + wrk, prints the table
    make bench-open311                             # both

`prepare` creates the database if it is missing (it never drops one), migrates it, and loads
the demo city with a 365-day history at a 70 % closed share. It skips the load when the
database already holds the requested number of requests (and tops it up when an earlier load
was interrupted), then runs VACUUM ANALYZE so the planner and index-only scans see the data.

`run` starts gunicorn on 127.0.0.1 (free port, DEBUG off, SECRET_KEY and ALLOWED_HOSTS set,
persistent database connections), warms every endpoint up, then runs wrk (-t2 -c8) with the
Lua scripts in bench/wrk/ for each scenario and prints requests/s, latency percentiles,
non-2xx replies and whether the issue's target is met. The POST scenario also checks that
rows added equal wrk's 2xx replies and that re-sending 200 of the requests with the same
Idempotency-Key adds nothing. Record results in docs/benchmarks.md with the date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "bench" / "wrk"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/frontdoor_bench311"
BASE = "/open311/v2"
sys.path.insert(0, str(ROOT))


class BenchError(SystemExit):
    """A clear, one-line reason the benchmark cannot go on (exit status 2)."""

    def __init__(self, message: str) -> None:
        print(f"bench/open311.py: {message}", file=sys.stderr)
        super().__init__(2)


# --- database -----------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` unless it exists. Never drops."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise BenchError("the Open311 benchmark runs on PostgreSQL (postgres://…)")
    name = parts.path.lstrip("/")
    if not name or name in {"test", "postgres", "template0", "template1"}:
        raise BenchError(f"refusing to use database {name!r}; name a bench database")
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()


def database_state() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'closed'), "
            "min(requested_at), max(requested_at) FROM cases_servicerequest"
        )
        total, closed, first, last = cursor.fetchone()
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_event'")
        events = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    return {
        "requests": total,
        "closed": closed,
        "closed_share": closed / total if total else 0.0,
        "first": first,
        "last": last,
        "events_estimate": events,
        "size": size,
    }


def print_state(state: dict[str, Any]) -> None:
    print(
        f"Database: {state['requests']:,} requests, {state['closed_share']:.1%} closed, "
        f"about {state['events_estimate']:,} events, {state['size']}; requested "
        f"{state['first']:%Y-%m-%d} .. {state['last']:%Y-%m-%d}"
        if state["requests"]
        else "Database: no requests."
    )


def prepare(args: argparse.Namespace) -> None:
    ensure_database(args.database_url)
    setup_django(args.database_url)
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection

    from frontdoor.cases.models import ServiceRequest
    from frontdoor.catalogue.models import City

    call_command("migrate", verbosity=0)
    have = ServiceRequest.objects.count()
    if have >= args.requests:
        print(f"{have:,} requests already loaded (≥ {args.requests:,}); load skipped.")
    else:
        started = time.monotonic()
        if not City.objects.exists():
            print(
                f"Loading the demo city with {args.requests:,} requests over {args.days} days, "
                f"closed share {args.closed_share} …",
                flush=True,
            )
            call_command(
                "demo_city",
                requests=args.requests,
                days=args.days,
                closed_share=args.closed_share,
                seed=args.seed,
            )
        else:
            # An interrupted load: every 5,000-request batch is committed on its own.
            from frontdoor.demo.history import HistoryGenerator

            missing = args.requests - have
            print(f"{have:,} requests found; generating the missing {missing:,} …", flush=True)
            generator = HistoryGenerator(
                seed=args.seed + have, days=args.days, closed_share=args.closed_share
            )

            def progress(done: int, seconds: float) -> None:
                if done % 50_000 == 0 or done == missing:
                    print(f"  {done:>9,} requests  {seconds:7.1f} s", flush=True)

            generator.generate(missing, progress=progress)
        loaded = time.monotonic() - started
        print(f"Load took {loaded / 60:.1f} min ({loaded:.0f} s).", flush=True)
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in ("cases_servicerequest", "cases_servicerequest_zones", "cases_event"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"VACUUM ANALYZE took {time.monotonic() - started:.0f} s.")
    print_state(database_state())


# --- run: workload data -------------------------------------------------------------------


@dataclass
class Workload:
    busy_service: str
    tracking_numbers: list[str]
    post_services: list[dict[str, Any]] = field(default_factory=list)


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def collect_workload(ids: int, seed: int) -> Workload:
    """What the scenarios ask for, read from the bench database."""
    from django.db import connection

    from frontdoor.cases.models import ServiceRequest
    from frontdoor.catalogue.models import City, Service

    public = Service.objects.filter(active=True, private=False, audience=Service.Audience.PUBLIC)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.code FROM cases_servicerequest r JOIN catalogue_service s "
            "ON s.id = r.service_id WHERE s.id = ANY(%s) AND r.status = 'closed' "
            "AND r.requested_at >= now() - interval '30 days' "
            "GROUP BY s.code ORDER BY count(*) DESC LIMIT 1",
            [list(public.values_list("pk", flat=True))],
        )
        row = cursor.fetchone()
    if row is None:
        raise BenchError("no closed requests of a public service in the last 30 days; prepare?")
    # A random sample of tracking numbers of public services, spread over the whole table.
    numbers = list(
        ServiceRequest.objects.filter(service__in=public)
        .order_by("?")
        .values_list("tracking_number", flat=True)[:ids]
    )
    rng = random.Random(seed)
    rng.shuffle(numbers)
    city = City.current()
    if city.geometry:
        from frontdoor.catalogue import geo

        boundary = geo.prepared(("bench", 0, ""), city.geometry)
        min_lon, min_lat, max_lon, max_lat = boundary.bounds
    else:
        boundary = None
        min_lat, min_lon, max_lat, max_lon = 38.9, -94.3, 39.0, -94.2
    points: list[tuple[float, float]] = []
    import shapely

    while len(points) < 500:
        x, y = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if boundary is None or shapely.contains_xy(boundary, x, y):
            points.append((round(y, 6), round(x, 6)))
    post_services = []
    # Real-time services only: a 2xx reply to a batch service is a token, not yet a row.
    for service in public.filter(response_type=Service.ResponseType.REALTIME):
        questions = [q for q in service.questions.all() if q.variable and q.active]
        post_services.append({"code": service.code, "questions": questions, "points": points})
    return Workload(row[0], numbers, post_services)


def answer_fields(questions: list[Any], rng: random.Random) -> list[tuple[str, str]]:
    """Valid ``attribute[...]`` form fields for one service: every required question, and
    about half of the optional ones."""
    from frontdoor.catalogue.models import Question

    fields: list[tuple[str, str]] = []
    for question in questions:
        if not question.required and rng.random() < 0.5:
            continue
        keys = [v.key for v in question.values.all() if getattr(v, "active", True)]
        name = f"attribute[{question.code}]"
        datatype = question.datatype
        if datatype == Question.Datatype.SINGLE:
            if keys:
                fields.append((name, rng.choice(keys)))
        elif datatype == Question.Datatype.MULTI:
            if keys:
                for key in rng.sample(keys, k=min(len(keys), rng.randint(1, 2))):
                    fields.append((name + "[]", key))
        elif datatype == Question.Datatype.NUMBER:
            fields.append((name, str(rng.randint(1, 20))))
        elif datatype == Question.Datatype.DATETIME:
            seen = datetime.now(UTC) - timedelta(hours=rng.randint(1, 72))
            fields.append((name, seen.strftime("%Y-%m-%dT%H:%M:%SZ")))
        else:
            fields.append((name, rng.choice(["Near the bus stop", "By the school", "Unknown"])))
    return fields


def post_bodies(workload: Workload, api_key: str, count: int, seed: int) -> list[str]:
    """``count`` form-encoded POST bodies over the public real-time services, weighted like
    the history (a pothole is more common than a dead animal). The Lua script appends a
    description carrying each request's Idempotency-Key."""
    from frontdoor.demo.loader import read_json

    rng = random.Random(seed)
    weights = read_json("calibration.json").get("service_weights", {})
    services = workload.post_services
    if not services:
        raise BenchError("no public services to POST to")
    service_weights = [max(weights.get(s["code"], 0.0), 0.001) for s in services]
    bodies = []
    for _ in range(count):
        service = rng.choices(services, weights=service_weights)[0]
        lat, lon = rng.choice(service["points"])
        fields = [
            ("api_key", api_key),
            ("service_code", service["code"]),
            ("lat", f"{lat}"),
            ("long", f"{lon}"),
        ]
        fields += answer_fields(service["questions"], rng)
        bodies.append(urllib.parse.urlencode(fields))
    return bodies


def write_lua_data(folder: Path, name: str, values: list[str]) -> Path:
    path = folder / name
    with path.open("w") as out:
        out.write("return {\n")
        for value in values:
            out.write(f"  {lua_string(value)},\n")
        out.write("}\n")
    return path


# --- run: server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    url: str,
    port: int,
    workers: int,
    var_dir: str,
    worker_class: str = "sync",
    worker_threads: int = 1,
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "frontdoor.settings",
            "DEBUG": "false",
            "FRONTDOOR_PRODUCTION": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "FRONTDOOR_VAR_DIR": var_dir,
        }
    )
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "frontdoor.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(worker_threads),
        "--keep-alive",
        "5",
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
    ]
    log = open(Path(var_dir) / "gunicorn.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited at start; see {var_dir}/gunicorn.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop(process)
    raise BenchError(f"gunicorn did not answer /healthz within 60 s; see {var_dir}/gunicorn.log")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def check_api(base: str) -> None:
    status, body = fetch(f"{base}{BASE}/services.json")
    if status == 404:
        raise BenchError(
            f"GET {BASE}/services.json answered 404: the Open311 API is not there yet "
            "(frontdoor/open311/views.py and its URLs)."
        )
    if status != 200:
        raise BenchError(f"GET {BASE}/services.json answered {status}: {body[:300]!r}")
    try:
        json.loads(body)
    except ValueError:
        raise BenchError(f"GET {BASE}/services.json is not JSON: {body[:200]!r}") from None


def probe_gets(base: str, scenarios: list[Scenario], workload: Workload) -> None:
    """One request per GET scenario: it must answer 200 with a JSON array, and the pages
    should be full, or the figures would measure an empty answer."""
    for scenario in scenarios:
        path = scenario.path
        if scenario.key == "one":
            path += workload.tracking_numbers[0] + ".json"
        status, body = fetch(base + path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {body[:300]!r}")
        try:
            items = json.loads(body)
        except ValueError:
            raise BenchError(f"GET {path} is not JSON: {body[:200]!r}") from None
        if not isinstance(items, list) or not items:
            raise BenchError(f"GET {path} answered no items: {body[:200]!r}")
        print(f"  {scenario.label}: {len(items)} items, {len(body):,} bytes")


# --- run: wrk ------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    label: str
    script: str
    path: str
    min_rps: float
    max_p95_ms: float | None
    duration: int
    env: dict[str, str] = field(default_factory=dict)
    method: str = "GET"


def run_wrk(
    base: str, scenario: Scenario, threads: int, connections: int, out_dir: Path
) -> dict[str, Any]:
    result_file = out_dir / f"{scenario.key}.json"
    env = dict(os.environ)
    env.update(scenario.env)
    env["BENCH_RESULT"] = str(result_file)
    env["BENCH_PATH"] = scenario.path
    env["BENCH_WRK_DIR"] = str(WRK_DIR)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{scenario.duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(WRK_DIR / scenario.script),
        base,
    ]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    (out_dir / f"{scenario.key}.wrk.txt").write_text(completed.stdout + completed.stderr)
    if completed.returncode != 0 or not result_file.exists():
        raise BenchError(
            f"wrk failed for {scenario.label}: {completed.stderr.strip() or completed.stdout}"
        )
    return json.loads(result_file.read_text())


def warm_up(base: str, scenarios: list[Scenario], out_dir: Path, seconds: int) -> None:
    for scenario in scenarios:
        if scenario.method != "GET":
            continue
        warm = Scenario(
            f"warm-{scenario.key}",
            scenario.label,
            scenario.script,
            scenario.path,
            0,
            None,
            seconds,
            scenario.env,
        )
        run_wrk(base, warm, 2, 8, out_dir)


def count_requests() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_servicerequest")
        return cursor.fetchone()[0]


def get_api_key(args: argparse.Namespace) -> str:
    """--api-key, or a new write key from ``manage.py open311_key`` (without a rate limit
    when the command offers one: the benchmark writes far more than a client should)."""
    if args.api_key:
        return args.api_key
    env = dict(os.environ, DATABASE_URL=args.database_url)
    command = [sys.executable, "manage.py", "open311_key", "--name", "bench", "--scope", "write"]
    completed = None
    for extra in (["--rate-limit", "0"], []):
        completed = subprocess.run(
            command + extra, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        found = re.search(r"API key:\s*(\S+)", completed.stdout)
        if completed.returncode == 0 and found:
            return found.group(1)
        if "--rate-limit" not in completed.stderr:
            break
    assert completed is not None
    detail = (completed.stderr or completed.stdout).strip().splitlines()
    raise BenchError(
        "could not create an API key with `manage.py open311_key --name bench --scope write` "
        f"({detail[-1] if detail else 'no output'}); pass --api-key"
    )


def body_for(bodies: list[str], key: str) -> str:
    """The body post.lua sent with ``key`` (bench-<run>-<thread>-<n>-<body index>)."""
    index = int(key.rsplit("-", 1)[1])
    return bodies[index - 1] + "&description=Benchmark+report+" + key


def created_rows(run_id: str) -> list[tuple[str, str]]:
    """(tracking number, Idempotency-Key) of every row this run's POSTs created."""
    from django.db import connection

    prefix = f"Benchmark report bench-{run_id}-"  # the run id is hex: no LIKE wildcards
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tracking_number, substr(description, 18) FROM cases_servicerequest "
            "WHERE description LIKE %s",
            [prefix + "%"],
        )
        return [(number, key) for number, key in cursor.fetchall()]


def wait_quiet(limit: float = 15.0) -> int:
    """Wait until no rows are being added (requests wrk left in flight finish on the
    server); returns the row count."""
    deadline = time.monotonic() + limit
    count = count_requests()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = count_requests()
        if again == count:
            return count
        count = again
    return count


def replied_id(body: bytes) -> str | None:
    try:
        return str(json.loads(body)[0]["service_request_id"])
    except (ValueError, LookupError, TypeError):
        return None


def post_once(base: str, body: str, key: str) -> tuple[int, bytes]:
    return fetch(  # type: ignore[no-any-return]
        f"{base}{BASE}/requests.json",
        data=body.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Idempotency-Key": key,
        },
    )


def percentile_ms(result: dict[str, Any], name: str) -> float:
    return result["latency_us"][name] / 1000.0


def print_table(rows: list[dict[str, Any]], header: str) -> None:
    print(f"\n{header}")
    line = (
        f"{'scenario':<44} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>8}  {'target':<26} {'met?':<4}"
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            f"{row['label']:<44} {row['rps']:>9,.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
            f"{row['p99']:>8.1f} {row['non2xx']:>8,}  {row['target']:<26} "
            f"{'yes' if row['met'] else 'NO':<4}"
        )


def run(args: argparse.Namespace) -> None:
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed (apt-get install -y wrk)")
    ensure_database(args.database_url)
    setup_django(args.database_url)
    import logging

    logging.disable(logging.INFO)
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    ):
        raise BenchError("the bench database is not migrated; run `bench/open311.py prepare`")
    state = database_state()
    print_state(state)
    if state["requests"] == 0:
        raise BenchError("the bench database is empty; run `bench/open311.py prepare`")

    workload = collect_workload(args.ids, args.seed)
    out_dir = Path(tempfile.mkdtemp(prefix="frontdoor-open311-bench-"))
    write_lua_data(out_dir, "bench_ids.lua", workload.tracking_numbers)
    now = datetime.now(UTC).replace(microsecond=0)
    window = urllib.parse.urlencode(
        {
            "service_code": workload.busy_service,
            "status": "closed",
            "start_date": (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "page_size": "100",
        }
    )
    scenarios = [
        Scenario(
            "newest",
            "GET requests.json, 100 newest",
            "get.lua",
            f"{BASE}/requests.json?page_size=100",
            500,
            50,
            args.duration,
        ),
        Scenario(
            "filtered",
            f"GET requests.json {workload.busy_service}/closed/30 d",
            "get.lua",
            f"{BASE}/requests.json?{window}",
            500,
            50,
            args.duration,
        ),
        Scenario(
            "one",
            f"GET requests/{{id}}.json ({len(workload.tracking_numbers):,} ids)",
            "one.lua",
            f"{BASE}/requests/",
            1000,
            20,
            args.duration,
            {"BENCH_IDS": str(out_dir / "bench_ids.lua")},
        ),
        Scenario(
            "services",
            "GET services.json",
            "get.lua",
            f"{BASE}/services.json",
            1500,
            None,
            args.duration,
        ),
    ]
    var_dir = str(out_dir / "var")
    os.makedirs(var_dir, exist_ok=True)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    version = code_version()  # what gunicorn loads now
    server = start_gunicorn(
        args.database_url, port, args.workers, var_dir, args.worker_class, args.worker_threads
    )
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    try:
        check_api(base)
        api_key = get_api_key(args) if not args.skip_post else ""
        print(
            f"gunicorn: {args.workers} workers on {base}; wrk -t{args.threads} "
            f"-c{args.connections}; work files in {out_dir}",
            flush=True,
        )
        selected = [s for s in scenarios if not args.only or s.key in args.only]
        probe_gets(base, selected, workload)
        print(f"Warm-up: {args.warmup} s per GET scenario …", flush=True)
        warm_up(base, selected, out_dir, args.warmup)
        for scenario in selected:
            print(f"Running {scenario.label} for {scenario.duration} s …", flush=True)
            result = run_wrk(base, scenario, args.threads, args.connections, out_dir)
            rows.append(row_for(scenario, result))
        if not args.skip_post and (not args.only or "post" in args.only):
            rows.append(post_scenario(args, base, workload, api_key, out_dir, failures))
    finally:
        stop(server)
    header = (
        f"Frontdoor Open311 benchmark — {version}, {state['requests']:,} requests "
        f"({state['closed_share']:.0%} closed), gunicorn {args.workers} {args.worker_class} "
        f"workers × {args.worker_threads} threads, "
        f"wrk -t{args.threads} -c{args.connections}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print_table(rows, header)
    for failure in failures:
        print(f"  ! {failure}")
    (out_dir / "results.json").write_text(json.dumps(rows, indent=2, default=str))
    print(f"\nRaw wrk output and results.json in {out_dir}")
    if failures:
        raise SystemExit(1)


def code_version() -> str:
    """The commit measured, and whether the application code had uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = git("status", "--porcelain", "--untracked-files=no", "frontdoor")
    return f"{commit}{' + uncommitted changes' if dirty else ''}"


def row_for(scenario: Scenario, result: dict[str, Any]) -> dict[str, Any]:
    rps = result["requests"] / result["duration_s"] if result["duration_s"] else 0.0
    p95 = percentile_ms(result, "p95")
    non2xx = result["requests"] - result["status_2xx"] + result["errors"]
    met = rps >= scenario.min_rps and non2xx == 0
    target = f"≥ {scenario.min_rps:,.0f}/s"
    if scenario.max_p95_ms is not None:
        target += f", p95 ≤ {scenario.max_p95_ms:.0f} ms"
        met = met and p95 <= scenario.max_p95_ms
    return {
        "label": scenario.label,
        "rps": rps,
        "p50": percentile_ms(result, "p50"),
        "p95": p95,
        "p99": percentile_ms(result, "p99"),
        "non2xx": non2xx,
        "target": target,
        "met": met,
        "raw": result,
    }


def post_scenario(
    args: argparse.Namespace,
    base: str,
    workload: Workload,
    api_key: str,
    out_dir: Path,
    failures: list[str],
) -> dict[str, Any]:
    bodies = post_bodies(workload, api_key, args.post_bodies, args.seed)
    bodies_file = write_lua_data(out_dir, "bench_post_bodies.lua", bodies)

    def scenario(run_id: str, seconds: int) -> Scenario:
        return Scenario(
            f"post-{run_id}",
            f"POST requests.json with attributes ({seconds} s)",
            "post.lua",
            f"{BASE}/requests.json",
            300,
            None,
            seconds,
            {"BENCH_BODIES": str(bodies_file), "BENCH_RUN": run_id},
            "POST",
        )

    # One POST first, for a clear message if the key or the form is refused.
    probe = f"bench-probe{secrets.token_hex(3)}-0-0-1"
    status, body = post_once(base, body_for(bodies, probe), probe)
    if not 200 <= status < 300:
        raise BenchError(f"a single POST requests.json answered {status}: {body[:400]!r}")
    if not created_rows(probe.split("-")[1]):
        raise BenchError(
            "a POST answered 2xx but no row has its description 'Benchmark report <key>'"
        )
    if args.warmup:
        print(f"Warm-up: {args.warmup} s of POSTs …", flush=True)
        run_wrk(base, scenario(f"warm{secrets.token_hex(3)}", args.warmup), 2, 8, out_dir)

    run_id = secrets.token_hex(4)
    measured = scenario(run_id, args.post_duration)
    print(f"Running {measured.label} …", flush=True)
    before = wait_quiet()
    result = run_wrk(base, measured, args.threads, args.connections, out_dir)
    added = wait_quiet() - before
    rows = created_rows(run_id)
    row = row_for(measured, result)
    acked_file = out_dir / f"{measured.key}.json.acked"
    acked = acked_file.read_text().split() if acked_file.exists() else []
    by_number = dict(rows)
    keys = [key for _number, key in rows]
    lost = [number for number in acked if number not in by_number]
    duplicates = len(keys) - len(set(keys))
    # wrk stops with up to one request per connection unanswered: the server may have
    # created those rows without the reply being read. A client would retry them with the
    # same key; so does the harness, and each must answer 2xx with the same id, adding
    # nothing. Then rows added = 2xx replies exactly.
    unanswered = max(result["sent"] - result["requests"], 0)
    acked_set = set(acked)
    in_flight = [(number, key) for number, key in rows if number not in acked_set]
    checks: dict[str, Any] = {
        "rows_added": added,
        "rows_with_run_keys": len(rows),
        "2xx": result["status_2xx"],
        "acked_ids": len(acked),
        "lost": len(lost),
        "duplicates": duplicates,
        "unanswered_at_stop": unanswered,
        "created_in_flight": len(in_flight),
    }
    if added != len(rows):
        failures.append(f"POST: {added:,} rows added but {len(rows):,} carry this run's keys")
    if len(acked) != result["status_2xx"] or len(acked_set) != len(acked):
        failures.append(
            f"POST: {result['status_2xx']:,} 2xx replies but {len(acked_set):,} distinct ids "
            f"in them ({len(acked):,} parsed)"
        )
    if lost:
        failures.append(f"POST: {len(lost)} acknowledged requests have no row, e.g. {lost[:3]}")
    if duplicates:
        failures.append(f"POST: {duplicates} Idempotency-Keys created more than one row")
    if len(in_flight) > unanswered:
        failures.append(
            f"POST: {len(in_flight)} rows were never acknowledged, more than the "
            f"{unanswered} requests in flight when wrk stopped"
        )
    # Retries with the same keys: the in-flight ones, and a sample of acknowledged ones.
    rng = random.Random(args.seed)
    answered = [(number, key) for number, key in rows if number in acked_set]
    sample = in_flight + rng.sample(answered, k=min(args.resend, len(answered)))
    before = count_requests()
    replies: dict[int, int] = {}
    other_id = 0
    retried_2xx = 0  # in-flight requests acknowledged, with their own id, on retry
    for index, (number, key) in enumerate(sample):
        status, reply = post_once(base, body_for(bodies, key), key)
        replies[status] = replies.get(status, 0) + 1
        same = 200 <= status < 300 and replied_id(reply) == number
        other_id += 200 <= status < 300 and not same
        retried_2xx += index < len(in_flight) and same
    resent_added = count_requests() - before
    if resent_added:
        failures.append(
            f"POST: re-sending {len(sample)} with their Idempotency-Key added {resent_added} rows"
        )
    if any(not 200 <= code < 300 for code in replies) or other_id:
        failures.append(
            f"POST: re-sent requests answered {replies}, {other_id} with a different id"
        )
    exact = added == result["status_2xx"] + retried_2xx
    checks.update(
        resent=len(sample),
        resent_added=resent_added,
        resent_replies=replies,
        rows_equal_2xx=exact,
    )
    clean = (
        exact
        and not lost
        and not duplicates
        and not resent_added
        and not other_id
        and len(in_flight) <= unanswered
        and all(200 <= code < 300 for code in replies)
    )
    row["target"] = "≥ 300/s, rows = 2xx, no dup"
    row["met"] = row["met"] and clean
    row["checks"] = checks
    print(
        f"  rows added {added:,} = 2xx replies {result['status_2xx']:,} + {len(in_flight)} "
        f"created while wrk stopped ({unanswered} unanswered) and acknowledged on retry: "
        f"{'yes' if exact else 'NO'}; acknowledged but missing {len(lost)}; duplicated "
        f"{duplicates}; re-sent {len(sample)} with the same keys ({len(in_flight)} in flight "
        f"+ {len(sample) - len(in_flight)} answered): {resent_added} rows added, "
        f"replies {replies}, {other_id} with another id",
        flush=True,
    )
    return row


# --- command line ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="create, migrate and load the bench database")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--closed-share", type=float, default=0.70)
    p.add_argument("--seed", type=int, default=311)
    r = sub.add_parser("run", help="start gunicorn and run the wrk scenarios")
    r.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    r.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    r.add_argument(
        "--worker-class",
        default="gthread",
        choices=["sync", "gthread"],
        help="gunicorn worker class (default gthread, which keeps connections alive)",
    )
    r.add_argument(
        "--worker-threads", type=int, default=2, help="threads per gthread worker (default 2)"
    )
    r.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    r.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    r.add_argument("--duration", type=int, default=20, help="seconds per GET scenario")
    r.add_argument("--post-duration", type=int, default=60, help="seconds of POSTs")
    r.add_argument(
        "--post-bodies", type=int, default=5000, help="distinct POST bodies (default 5000)"
    )
    r.add_argument("--warmup", type=int, default=5, help="warm-up seconds per GET scenario")
    r.add_argument("--ids", type=int, default=10_000, help="request ids in rotation")
    r.add_argument("--resend", type=int, default=200, help="POSTs re-sent with the same key")
    r.add_argument("--api-key", help="write key for POST (default: manage.py open311_key)")
    r.add_argument("--port", type=int, help="gunicorn port (default: a free one)")
    r.add_argument("--seed", type=int, default=5)
    r.add_argument("--skip-post", action="store_true", help="only the GET scenarios")
    r.add_argument(
        "--only",
        nargs="*",
        choices=["newest", "filtered", "one", "services", "post"],
        help="run only these scenarios",
    )
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
