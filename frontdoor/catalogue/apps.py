from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "frontdoor.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from frontdoor.catalogue import cache

        for model in self.get_models():
            post_save.connect(cache.clear, sender=model, dispatch_uid=f"cache-{model.__name__}")
            post_delete.connect(cache.clear, sender=model, dispatch_uid=f"cachd-{model.__name__}")
        for model in self.get_models():
            name = model.__name__
            post_save.connect(_catalogue_changed, sender=model, dispatch_uid=f"stamp-{name}")
            post_delete.connect(_catalogue_changed, sender=model, dispatch_uid=f"stampd-{name}")
        department = self.get_model("Department")
        m2m_changed.connect(
            cache.clear, sender=department.supervisors.through, dispatch_uid="cache-m2m"
        )


def _catalogue_changed(sender: type, **kwargs: object) -> None:
    """Record when the catalogue last changed: Open311's "changeset", and the key under
    which rendered requests (service names, agencies) are cached."""
    from django.utils import timezone

    from frontdoor.catalogue import cache
    from frontdoor.catalogue.models import City

    if kwargs.get("raw"):
        return
    City.objects.update(catalogue_changed_at=timezone.now())
    # The cached city must carry the new stamp (cache.clear ran before this handler).
    cache.clear()
