"""Knowledge pages of the staff workspace, included in ``frontdoor.staff.urls`` (namespace
``staff``)."""

from django.urls import path

from frontdoor.knowledge.views import staff

urlpatterns = [
    path("knowledge/", staff.knowledge, name="knowledge"),
    path("knowledge/<int:pk>/", staff.article, name="knowledge_article"),
    path("knowledge/<int:pk>/reviewed/", staff.mark_reviewed, name="knowledge_reviewed"),
    path(
        "knowledge/canned/<str:tracking_number>/",
        staff.canned_picker,
        name="canned_picker",
    ),
]
