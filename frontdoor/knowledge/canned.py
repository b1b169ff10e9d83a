"""Canned responses (F19): the texts offered in a request's reply box, filled in for it."""

from __future__ import annotations

from django.db.models import Q
from django.utils import translation
from django.utils.translation import pgettext

from frontdoor.cases.models import ServiceRequest
from frontdoor.catalogue.models import City
from frontdoor.knowledge import placeholders
from frontdoor.knowledge.models import CannedResponse


def choices_for(service_request: ServiceRequest) -> list[CannedResponse]:
    """The active responses for the request's service, then the general ones."""
    responses = CannedResponse.objects.filter(
        Q(service_id=service_request.service_id) | Q(service__isnull=True), active=True
    )
    return sorted(responses, key=lambda r: (r.service_id is None, r.order, r.pk))


def resident_name(service_request: ServiceRequest, *, private: bool) -> str:
    """The requester's name, only for text the requester alone will see; otherwise (and
    when the name is unknown) a polite generic word in the active language."""
    if private:
        name = service_request.contact_name.strip()
        if not name and service_request.requester_id:
            name = service_request.requester.get_full_name().strip()
        if name:
            return name[:150]
    return pgettext("how a resident whose name we do not use is addressed", "resident")


def render_canned(
    response: CannedResponse,
    service_request: ServiceRequest,
    language: str,
    *,
    private: bool = False,
) -> str:
    """The response's text in ``language`` (English when it has no translation) with the
    request's values in its placeholders.

    A public reply is on the request's public timeline, so by default ``{resident_name}``
    is the generic word; pass ``private=True`` for a message only the requester sees.
    Nothing but these four values is ever put into the text.
    """
    with translation.override(language):
        values = {
            "tracking_number": service_request.display_number,
            "resident_name": resident_name(service_request, private=private),
            "service": service_request.service.name,
            "city": City.current().name,
        }
        return placeholders.fill(response.text_in(language), values)
