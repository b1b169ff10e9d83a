from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeocodingConfig(AppConfig):
    name = "frontdoor.geocoding"
    verbose_name = _("Addresses")
    default_auto_field = "django.db.models.BigAutoField"
