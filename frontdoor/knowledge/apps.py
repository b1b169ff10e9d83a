from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "frontdoor.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_save

        from frontdoor.catalogue.models import Service
        from frontdoor.knowledge import search
        from frontdoor.knowledge.models import Article

        # The search index holds the names and keywords of an article's services: keep it
        # true when the links change (either side) or a service is renamed.
        m2m_changed.connect(
            search.links_changed, sender=Article.services.through, dispatch_uid="kb-links"
        )
        post_save.connect(search.service_saved, sender=Service, dispatch_uid="kb-service")
