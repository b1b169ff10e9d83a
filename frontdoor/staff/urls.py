from django.urls import include, path

from frontdoor.staff import case_views, near_me, views
from frontdoor.staff.intake import views as intake
from frontdoor.staff.queues import views as queues
from frontdoor.staff.supervisor import views as supervisor

app_name = "staff"

urlpatterns = [
    path("", queues.home, name="home"),
    path("two-factor-required/", views.mfa_required, name="mfa_required"),
    path("", include("frontdoor.knowledge.staff_urls")),
    path("intake/", intake.intake, name="intake"),
    path("intake/services/", intake.service_results, name="intake_services"),
    path("intake/contact/", intake.information_contact, name="intake_contact"),
    path("intake/filed/<str:tracking_number>/", intake.filed, name="intake_filed"),
    path("queue/<slug:name>/", queues.queue, name="queue"),
    path("bulk/", queues.bulk, name="bulk"),
    path("views/", queues.save_view, name="save_view"),
    path("views/<int:pk>/", queues.saved_view, name="saved_view"),
    path("views/<int:pk>/delete/", queues.delete_view, name="delete_view"),
    path("supervisor/", supervisor.overview, name="supervisor"),
    path("near-me/", near_me.near_me, name="near_me"),
    path("requests/<str:number>/", case_views.case, name="case"),
    path("requests/<str:number>/<slug:action>/", case_views.case_action, name="case_action"),
]
