from django.urls import path, re_path

from frontdoor.open311 import openapi, updates, views

FMT = "<str:fmt>"

urlpatterns = [
    path(f"open311/discovery.{FMT}", views.discovery, name="open311-discovery-root"),
    path(f"open311/v2/discovery.{FMT}", views.discovery, name="open311-discovery"),
    path(f"open311/v2/services.{FMT}", views.services, name="open311-services"),
    path(f"open311/v2/services/<str:code>.{FMT}", views.service_definition, name="open311-service"),
    path(f"open311/v2/requests.{FMT}", views.requests_dispatch, name="open311-requests"),
    path(
        f"open311/v2/requests/<str:identifier>.{FMT}",
        views.request_detail,
        name="open311-request",
    ),
    path(f"open311/v2/tokens/<str:token>.{FMT}", views.token_lookup, name="open311-token"),
    path(
        f"open311/v2/servicerequestupdates.{FMT}",
        updates.updates_dispatch,
        name="open311-updates",
    ),
    path("open311/v2/openapi.json", openapi.openapi_view, name="open311-openapi"),
    re_path(r"^open311/(?P<rest>.*)$", views.not_found),
]
