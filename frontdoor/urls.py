from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.urls import include, path

from frontdoor.catalogue.models import City


def home(request: HttpRequest):  # type: ignore[no-untyped-def]
    return render(request, "home.html", {"city": City.objects.first()})


def health(request: HttpRequest) -> JsonResponse:
    City.objects.exists()  # touches the database
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", home, name="home"),
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("frontdoor.open311.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
