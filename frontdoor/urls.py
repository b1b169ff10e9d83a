from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from frontdoor.catalogue.models import City

# The admin signs in through allauth (so two-factor sign-in applies there too), never
# through its own password-only form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


def health(request: HttpRequest) -> JsonResponse:
    City.objects.exists()  # touches the database
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
    path("staff/", include("frontdoor.staff.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("help/", include("frontdoor.knowledge.urls")),
    path("", include("frontdoor.open311.urls")),
    path("", include("frontdoor.portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
