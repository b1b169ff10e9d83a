from django.urls import path

from frontdoor.portal.views import home, location, report, support, track

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("report/<str:code>/", report.report, name="report"),
    path("report/<str:code>/nearby/", report.nearby_fragment, name="nearby"),
    path("submitted/<str:number>/", report.submitted, name="submitted"),
    path("addresses/", location.suggestions, name="address_suggestions"),
    path("addresses/reverse/", location.reverse, name="address_reverse"),
    path("track/", track.lookup, name="track_lookup"),
    path("track/<str:number>/", track.track, name="track"),
    path("track/<str:number>/me-too/", support.me_too, name="me_too"),
]
