"""``{% canned_picker service_request %}``: the canned-response picker and the reply box it
fills, for the case page's reply forms. Put it inside the form, in place of the textarea:

    {% load knowledge %}
    <form method="post" action="…reply…">{% csrf_token %}
      {% canned_picker service_request field="text" %}            (public reply)
      …
    {% canned_picker service_request field="message" private=True %}  (to the requester only)

With JavaScript, choosing a response fills the box through HTMX. Without it, the "Insert"
button goes to the server and back to this page with ``?canned=<id>``, which this tag reads.
``private=True`` fills ``{resident_name}`` with the requester's name; a public reply never
carries it. The page links ``knowledge/knowledge.css`` for the picker's layout.
"""

from __future__ import annotations

from typing import Any

from django import template

from frontdoor.cases.models import ServiceRequest
from frontdoor.knowledge.views.staff import picker_context, without_picker_params

register = template.Library()


@register.inclusion_tag("knowledge/_canned_picker.html", takes_context=True)
def canned_picker(
    context: template.Context,
    service_request: ServiceRequest,
    field: str = "text",
    private: bool = False,
    label: str | None = None,
) -> dict[str, Any]:
    request = context.get("request")
    chosen_id = None
    next_url = ""
    if request is not None:
        if request.GET.get("canned_field", "text") == field:
            chosen_id = request.GET.get("canned", "")[:20] or None
        next_url = without_picker_params(request.path, request.GET)
    return picker_context(
        service_request,
        field=field,
        private=private,
        chosen_id=chosen_id,
        next_url=next_url,
        label=label,
    )
