from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdoor.catalogue.models import City
from frontdoor.open311.importer import ImportAborted, Open311Importer, parse_w3c


def _since(value: str) -> datetime:
    """A date (midnight UTC) or a date and time with a time zone."""
    moment = parse_w3c(value)
    if moment is not None:
        return moment
    try:
        return datetime.combine(date.fromisoformat(value.strip()), time(0), tzinfo=UTC)
    except ValueError:
        raise CommandError(
            _("--since must be a date (2025-01-31) or a date and time with a time zone.")
        ) from None


class Command(BaseCommand):
    help = (
        "Import services and requests from another Open311 GeoReport v2 server. "
        "Requests keep their original ids; running it again creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("base_url", help="e.g. https://old.example.gov/open311/v2")
        parser.add_argument("--jurisdiction", default="", help="jurisdiction_id to send.")
        parser.add_argument(
            "--since", help="Import requests filed since this date (default: 365 days ago)."
        )
        parser.add_argument(
            "--window-days", type=int, default=30, help="Days per start_date/end_date window."
        )
        parser.add_argument("--page-size", type=int, default=100, help="Rows per page.")
        parser.add_argument("--timeout", type=float, default=30, help="Seconds per HTTP call.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, save nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        window_days: int = options["window_days"]
        page_size: int = options["page_size"]
        if not 1 <= window_days <= 90:
            raise CommandError(_("--window-days must be from 1 to 90."))
        if not 1 <= page_size <= 1000:
            raise CommandError(_("--page-size must be from 1 to 1000."))
        if options["timeout"] <= 0:
            raise CommandError(_("--timeout must be a positive number of seconds."))
        since = (
            _since(options["since"])
            if options["since"]
            else timezone.now().replace(microsecond=0) - timedelta(days=365)
        )
        try:
            City.current()
        except City.DoesNotExist as exc:
            raise CommandError(str(exc)) from None
        try:
            importer = Open311Importer(
                options["base_url"],
                jurisdiction_id=options["jurisdiction"].strip(),
                since=since,
                window=timedelta(days=window_days),
                page_size=page_size,
                dry_run=options["dry_run"],
                timeout=options["timeout"],
                report=self.stderr.write,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Importing from %(url)s, requests since %(since)s.")
            % {"url": importer.base_url, "since": since.isoformat()}
        )
        try:
            importer.run()
        except ImportAborted as exc:
            if any(count for _label, count in importer.summary.rows()):
                self._table(importer)
            raise CommandError(str(exc)) from None
        self._table(importer)

    def _table(self, importer: Open311Importer) -> None:
        rows = importer.summary.rows()
        width = max(len(label) for label, _count in rows)
        for label, count in rows:
            self.stdout.write(f"  {label:<{width}}  {count:>8}")
        if importer.dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))
