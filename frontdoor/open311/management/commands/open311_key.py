"""Issue an Open311 API key for a client application (created if new)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdoor.open311.models import ApiKey, ClientApp


class Command(BaseCommand):
    help = "Issue an API key for a client application; prints it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Client application name.")
        parser.add_argument("--contact", default="")
        parser.add_argument(
            "--scope", default=ApiKey.Scope.WRITE, choices=[c for c, _label in ApiKey.Scope.choices]
        )
        parser.add_argument(
            "--rate-limit", type=int, default=120, help="Writes per minute; 0 for no limit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rate_limit"] < 0:
            raise CommandError("--rate-limit must be 0 or more.")
        name = " ".join(options["name"].split())[:120]
        if not name:
            raise CommandError("--name must not be empty.")
        client, _created = ClientApp.objects.get_or_create(
            name=name, defaults={"contact": options["contact"]}
        )
        _key, plain = ApiKey.issue(client, scope=options["scope"], rate_limit=options["rate_limit"])
        self.stdout.write(f"API key: {plain}")
