from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdoor.catalogue.importers import import_zones


class Command(BaseCommand):
    help = "Create or update zones (and the city boundary) from a GeoJSON FeatureCollection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--kind", help="Kind for features without a 'kind' property.")

    def handle(self, *args: Any, path: str, kind: str | None, **options: Any) -> None:
        try:
            result = import_zones(path, default_kind=kind)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        except ValidationError as exc:
            raise CommandError("Nothing imported:\n  " + "\n  ".join(exc.messages)) from None
        self.stdout.write(f"zones created: {result['created']}, updated: {result['updated']}")
