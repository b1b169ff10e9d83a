from django.urls import path

from frontdoor.knowledge.views import public as views

app_name = "help"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.article, name="article_short"),
    path("<int:pk>-<slug:slug>/", views.article, name="article"),
]
