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
        department = self.get_model("Department")
        m2m_changed.connect(
            cache.clear, sender=department.supervisors.through, dispatch_uid="cache-m2m"
        )
