from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdoor.geocoding.loader import AddressFileError, load_addresses


class Command(BaseCommand):
    help = (
        "Load the city's address points (CSV or GeoJSON) into the local address index "
        "used by the report form. Replaces the index unless --append is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A .csv or .geojson file of address points.")
        parser.add_argument(
            "--append", action="store_true", help="Add to the index instead of replacing it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = load_addresses(path, replace=not options["append"])
        except AddressFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Loaded {result.loaded} addresses; left out {result.outside} outside the city "
            f"and {result.unreadable} unreadable rows."
        )
