from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "frontdoor.portal"
    verbose_name = _("Resident portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from frontdoor.portal.models import SiteNotice, forget_notices

        post_save.connect(forget_notices, sender=SiteNotice, dispatch_uid="portal-notices")
        post_delete.connect(forget_notices, sender=SiteNotice, dispatch_uid="portal-noticesd")
