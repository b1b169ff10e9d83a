"""The city's own address index: points loaded from its address file (load_addresses)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AddressPoint(models.Model):
    """One address with its position. ``normalised`` is the searchable form
    (``geocoding.normalise``): prefix look-ups on an index, no full-text engine needed."""

    label = models.CharField(_("address"), max_length=200)
    normalised = models.CharField(max_length=200)
    # The street part alone, so "main st" finds every number on Main Street.
    street_normalised = models.CharField(max_length=200)
    house_number = models.PositiveIntegerField(null=True, blank=True)  # for ordering
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    source_id = models.CharField(_("id in the city's file"), max_length=64, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("address point")
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' whatever
            # the database's collation; other databases ignore the operator class.
            models.Index(
                fields=["normalised"], name="address_norm_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["street_normalised"],
                name="address_street_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["lat", "lon"], name="address_position_idx"),
        ]

    def __str__(self) -> str:
        return self.label
