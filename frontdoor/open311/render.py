"""GeoReport v2 output: the same data as JSON or as schemaless XML.

JSON follows the "Spark convention" the spec uses: the XML root disappears and a container
of repeated elements becomes an array. XML gets the declaration, no namespace, empty
elements for nulls, ``true``/``false`` for booleans.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("xml", "json")

# In XML, each list is a container whose children carry the singular name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "zones": "zone",
    "photos": "photo",
    "errors": "error",
    "service_request_updates": "request_update",
    "groups": "group",
}


def w3c(value: datetime | None, tz: Any = None) -> str | None:
    """Whole seconds with an offset, in the city's time zone: 2026-01-01T08:15:30-06:00."""
    if value is None:
        return None
    local = timezone.localtime(value, tz).replace(microsecond=0)
    return local.isoformat()


# Characters XML 1.0 cannot carry at all (C0 controls other than tab and newlines, lone
# surrogates, U+FFFE/U+FFFF); they are dropped from XML output.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    return escape(_NOT_XML.sub("", str(value)))


def _xml(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _xml(key, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES.get(name, "item")
        out.append(f"<{name}>")
        for item in value:
            _xml(item_name, item, out)
        out.append(f"</{name}>")
    elif value is None or value == "":
        out.append(f"<{name}/>")
    else:
        out.append(f"<{name}>{_text(value)}</{name}>")


def to_xml(root: str, data: Any) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _xml(root, data, out)
    return "".join(out)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def fragment(fmt: str, name: str, data: Any) -> str:
    """One list item, rendered alone, for ``respond_fragments``."""
    if fmt == "xml":
        out: list[str] = []
        _xml(name, data, out)
        return "".join(out)
    return to_json(data)


def respond_fragments(fmt: str, root: str, fragments: list[str]) -> HttpResponse:
    """A list response assembled from items rendered (and perhaps cached) one by one."""
    if fmt == "xml":
        body = f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>{"".join(fragments)}</{root}>'
        return HttpResponse(body, content_type=XML_TYPE)
    return HttpResponse(f"[{','.join(fragments)}]", content_type=JSON_TYPE)


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=XML_TYPE, status=status)
    return HttpResponse(to_json(data), content_type=JSON_TYPE, status=status)


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    body = [{"code": status, "description": str(text)} for text in descriptions]
    return respond(fmt if fmt in FORMATS else "json", "errors", body, status=status)
