"""Staff workspace benchmark (issue #3): queue pages, the supervisor view and search.

    .venv/bin/python bench/staff.py                                   # the 1M-request database
    .venv/bin/python bench/staff.py --database-url postgres://…/db --repeat 50
    .venv/bin/python bench/staff.py --only search                     # scenarios whose name has it

Measures the median server time of each page: the Django test client in this process,
through every middleware, the view, its queries and the template (no network, no
browser). Each scenario is warmed up, then requested ``--repeat`` times; the table gives
the rows shown, the queries made, the median and the 95th percentile, and whether the
issue's target is met (queue pages ≤ 100 ms, full-text search ≤ 200 ms; the supervisor view
is held to the queue pages' target).

It reads the database it is given and writes nothing but its signed-in sessions. It signs
in as the demo city's people (``staff``, ``supervisor``, ``agent``, ``admin``: `demo_city`
and `bench/open311.py prepare` create them) and takes its search terms, service, zone and
group from the data. Record results in docs/benchmarks.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/frontdoor_bench311"
QUEUE_TARGET_MS = 100.0
SEARCH_TARGET_MS = 200.0
sys.path.insert(0, str(ROOT))


@dataclass
class Scenario:
    name: str
    user: str
    path: str
    target_ms: float = QUEUE_TARGET_MS


def scenarios() -> list[Scenario]:
    """The pages to time, with filter values and search terms taken from the data."""
    from django.db.models import Count

    from frontdoor.cases.models import OPEN_STATUSES, ServiceRequest
    from frontdoor.catalogue.models import Membership, Zone

    staff_groups = list(
        Membership.objects.filter(user__username="staff").values_list("group_id", flat=True)
    )
    open_here = ServiceRequest.objects.filter(status__in=OPEN_STATUSES, group_id__in=staff_groups)
    busiest = open_here.values("service_id").annotate(n=Count("pk")).order_by("-n").first() or {}
    zone = Zone.objects.order_by("pk").first()
    sample = (
        ServiceRequest.objects.exclude(contact_phone="").order_by("-requested_at").first(),
        ServiceRequest.objects.exclude(contact_email="").order_by("-requested_at").first(),
    )
    phone_request, email_request = sample
    if phone_request is None or email_request is None:
        raise SystemExit("bench/staff.py: the database has no requests with contact details")
    number = phone_request.tracking_number
    name = email_request.contact_name.split()[-1]
    street = " ".join(email_request.address.split()[1:3])

    queue = "/staff/queue/"
    result = [
        Scenario("home (assigned to me)", "staff", "/staff/"),
        Scenario("my groups", "staff", f"{queue}groups/"),
        Scenario("unassigned", "staff", f"{queue}unassigned/"),
        Scenario("on hold", "staff", f"{queue}on_hold/"),
        Scenario("at risk", "staff", f"{queue}at_risk/"),
        Scenario("overdue", "staff", f"{queue}overdue/"),
        Scenario("updated by the resident", "staff", f"{queue}resident/"),
        Scenario("triage", "agent", f"{queue}triage/"),
        Scenario("find a request (no search yet)", "agent", f"{queue}all/"),
        Scenario("my groups, department-wide", "supervisor", f"{queue}groups/"),
        Scenario("overdue, department-wide", "supervisor", f"{queue}overdue/"),
        Scenario("my groups, last page (rows 951-1000)", "supervisor", f"{queue}groups/?page=20"),
        Scenario("my groups, every open request", "admin", f"{queue}groups/"),
        Scenario("unassigned, every group", "admin", f"{queue}unassigned/"),
        Scenario("overdue, every group", "admin", f"{queue}overdue/"),
    ]
    for sort in ("requested", "-requested", "-updated", "priority"):
        result.append(
            Scenario(f"my groups, sorted {sort}", "supervisor", f"{queue}groups/?sort={sort}")
        )
    filters = {
        "service": busiest.get("service_id", ""),
        "status": "in_progress",
        "zone": zone.pk if zone else "",
        "age": "8-30",
        "channel": "phone",
        "priority": "high",
        "assignee": "none",
        "group": staff_groups[0] if staff_groups else "",
    }
    for key, value in filters.items():
        result.append(
            Scenario(f"my groups, filter {key}", "supervisor", f"{queue}groups/?{key}={value}")
        )
    result += [
        Scenario("supervisor view (one department)", "supervisor", "/staff/supervisor/"),
        Scenario("supervisor view (every department)", "admin", "/staff/supervisor/"),
    ]
    searches = {
        "tracking number as typed": f"{number[:4]}-{number[4:8]}-{number[8:]}",
        "phone number": phone_request.contact_phone,
        "e-mail address": email_request.contact_email,
        "family name": name,
        "street": street,
        "a common word (pothole)": "pothole",
        "two words": "pothole deep",
        "a word prefix (stre)": "stre",
        "no match": "zzyzx",
    }
    for label, text in searches.items():
        from urllib.parse import urlencode

        result.append(
            Scenario(
                f"search: {label}",
                "agent",
                f"{queue}all/?{urlencode({'q': text})}",
                SEARCH_TARGET_MS,
            )
        )
    result.append(
        Scenario(
            "search in my groups: a common word",
            "supervisor",
            f"{queue}groups/?q=pothole",
            SEARCH_TARGET_MS,
        )
    )
    return result


def measure(scenario: Scenario, client: Any, repeat: int, warmup: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(scenario.path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(scenario.path)
    if response.status_code != 200:
        raise SystemExit(
            f"bench/staff.py: {scenario.path} as {scenario.user} answered {response.status_code}"
        )
    # Request rows on the page (every row names its tracking number for the phone layout).
    rows = response.content.decode().count('data-label="Tracking number"')
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(scenario.path)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    median = statistics.median(samples)
    return {
        "name": scenario.name,
        "user": scenario.user,
        "rows": rows,
        "queries": len(captured),
        "median": median,
        "p95": samples[max(0, int(len(samples) * 0.95) - 1)],
        "target": scenario.target_ms,
        "met": median <= scenario.target_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    os.environ["DEBUG"] = "false"
    # Static files as deployed (hashed names from the manifest), collected to a scratch folder.
    os.environ["FRONTDOOR_VAR_DIR"] = tempfile.mkdtemp(prefix="frontdoor-bench-staff-")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.test import Client

    from frontdoor.accounts.models import User
    from frontdoor.cases.models import ServiceRequest

    total = ServiceRequest.objects.count()
    clients: dict[str, Client] = {}
    results = []
    for scenario in scenarios():
        if args.only not in scenario.name:
            continue
        if scenario.user not in clients:
            user = User.objects.filter(username=scenario.user).first()
            if user is None:
                raise SystemExit(f"bench/staff.py: no user {scenario.user!r} (load the demo city)")
            clients[scenario.user] = Client()
            clients[scenario.user].force_login(user)
        results.append(measure(scenario, clients[scenario.user], args.repeat, args.warmup))
        last = results[-1]
        print(f"  {last['name']}: {last['median']:.1f} ms", file=sys.stderr)

    print(
        f"\nStaff pages, {total:,} requests, {connection.vendor} "
        f"({platform.node()}, Python {platform.python_version()}), "
        f"median of {args.repeat} after {args.warmup} warm-up, in-process test client\n"
    )
    print("| page | as | rows | queries | median ms | p95 ms | target | met? |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    for r in results:
        print(
            f"| {r['name']} | {r['user']} | {r['rows']} | {r['queries']} | {r['median']:.1f} "
            f"| {r['p95']:.1f} | ≤ {r['target']:.0f} ms | {'yes' if r['met'] else 'no'} |"
        )
    missed = [r["name"] for r in results if not r["met"]]
    print(f"\n{len(results) - len(missed)} of {len(results)} met their target.")


if __name__ == "__main__":
    main()
