"""A stand-in for the case page's reply form (not built yet), to drive the canned-response
picker in a real browser: the site's URLs plus /reply-test/<tracking number>/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import path

import frontdoor.urls
from frontdoor.cases.models import ServiceRequest
from frontdoor.staff.decorators import staff_required

PAGE = engines["django"].from_string(
    """{% extends "staff/base.html" %}{% load knowledge static %}
{% block head %}<link rel="stylesheet" href="{% static 'knowledge/knowledge.css' %}">{% endblock %}
{% block content %}<h1>Reply</h1>
<form method="post" action="/reply-test/sent/">{% csrf_token %}
{% canned_picker service_request %}
<button type="submit" class="primary">Send</button>
</form>{% endblock %}"""
)


@staff_required
def reply(request: HttpRequest, tracking_number: str) -> HttpResponse:
    found = get_object_or_404(ServiceRequest, tracking_number=tracking_number)
    return HttpResponse(PAGE.render({"service_request": found}, request))


urlpatterns = [path("reply-test/<str:tracking_number>/", reply), *frontdoor.urls.urlpatterns]
