from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "frontdoor.open311"
    label = "open311"
    verbose_name = "Open311 API"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from frontdoor.open311.auth import forget_keys

        for name in ("ApiKey", "ClientApp"):
            model = self.get_model(name)
            post_save.connect(forget_keys, sender=model, dispatch_uid=f"keys-{name}")
            post_delete.connect(forget_keys, sender=model, dispatch_uid=f"keysd-{name}")
