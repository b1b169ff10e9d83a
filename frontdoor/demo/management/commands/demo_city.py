"""Load the demo city (catalogue, zones, people) and generate its request history."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontdoor.catalogue.models import City


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


class Command(BaseCommand):
    help = "Create the fictional demo city Port Alder with staff and a history of requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--requests",
            type=int,
            default=3000,
            help="How many historical requests to generate (default 3000).",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=365,
            help="Spread the history over this many past days (default 365).",
        )
        parser.add_argument(
            "--closed-share",
            type=_share,
            default=None,
            help=(
                "Make about this share (0-1) of the history closed by stretching resolution "
                "times (default: the calibrated share, about 0.93 over 365 days)."
            ),
        )
        parser.add_argument("--seed", type=int, default=311)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if a city is already configured."
        )
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(
        self,
        *args: Any,
        requests: int,
        days: int,
        seed: int,
        closed_share: float | None,
        if_empty: bool,
        logins: bool,
        **options: Any,
    ) -> None:
        from frontdoor.demo.history import HistoryGenerator
        from frontdoor.demo.loader import (
            LOGINS,
            create_demo_client,
            create_people,
            load_catalogue,
            load_demo_addresses,
            load_knowledge,
        )

        if logins:
            self._print_logins(LOGINS)
            return
        if if_empty and City.objects.exists():
            self.stdout.write("A city is already configured; demo data left as it is.")
            return
        city = load_catalogue()
        create_people()
        create_demo_client()
        articles, responses = load_knowledge()
        addresses = load_demo_addresses()
        self.stdout.write(
            f"Loaded {city.name}: catalogue, zones, staff, {articles} knowledge articles, "
            f"{responses} canned responses and {addresses:,} synthetic addresses."
        )
        if requests > 0:
            generator = HistoryGenerator(seed=seed, days=days, closed_share=closed_share)

            def progress(done: int, seconds: float) -> None:
                if done % 50_000 == 0 or done == requests:
                    self.stdout.write(f"  {done:>9,} requests  {seconds:7.1f} s")

            generator.generate(requests, progress=progress)
        self._print_logins(LOGINS)

    def _print_logins(self, logins: list[tuple[str, str, str, str]]) -> None:
        self.stdout.write(
            "\nDemo logins (sign in at http://127.0.0.1:8000/accounts/login/;"
            " staff land in the staff workspace, /staff/):"
        )
        for username, password, role, what in logins:
            self.stdout.write(f"  {role:<22} {username:<12} {password:<12} {what}")
        from frontdoor.demo.loader import DEMO_API_KEY

        self.stdout.write("\nOpen311 API (http://127.0.0.1:8000/open311/v2/services.json)")
        self.stdout.write(f"API key: {DEMO_API_KEY}")
