"""An OpenAPI 3.0 description of the Open311 API, served at ``/open311/v2/openapi.json``.

It documents every path in both formats, every parameter, and a strict JSON Schema for every
JSON response (``additionalProperties: false`` wherever GeoReport v2 fixes the keys), so that
client generators, API fuzzers and our own conformance tests all read the same contract.

Each format is its own path (``/services.json`` and ``/services.xml``) rather than one
``/services.{format}`` template: a path parameter would let a fuzzer send ``.foo``, and the
two formats answer with different media types, which OpenAPI can only say per operation.
"""

from __future__ import annotations

import copy
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

Schema = dict[str, Any]

SPEC_URL = "https://wiki.open311.org/GeoReport_v2/"
FORMATS = ("json", "xml")
JSON = "application/json"
XML = "text/xml"

# W3C-DTF as we emit it: whole seconds and a mandatory offset (mySociety's output check).
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"

UPDATE_STATUSES = (
    "OPEN",
    "CLOSED",
    "FIXED",
    "IN_PROGRESS",
    "PLANNED",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "CANCELLED",
    "REOPEN",
    "FOR_TRIAGE",
    "UNCHANGED",
)


# --- schema helpers ---------------------------------------------------------------------


def _obj(properties: dict[str, Schema], *, optional: tuple[str, ...] = ()) -> Schema:
    """A closed object: every property required unless listed in ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def _string(*, nullable: bool = False, **extra: Any) -> Schema:
    schema: Schema = {"type": "string", **extra}
    if nullable:
        schema["nullable"] = True
    return schema


def _datetime(*, nullable: bool = False) -> Schema:
    return _string(nullable=nullable, pattern=DATETIME_PATTERN)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


# --- components: one schema per JSON response shape ------------------------------------


def _schemas() -> dict[str, Schema]:
    request_fields: dict[str, Schema] = {
        "service_request_id": _string(),
        "status": _string(enum=["open", "closed"]),
        "status_notes": _string(nullable=True),
        "service_name": _string(),
        "service_code": _string(),
        "description": _string(nullable=True),
        "agency_responsible": _string(nullable=True),
        "service_notice": _string(nullable=True),
        "requested_datetime": _datetime(),
        "updated_datetime": _datetime(),
        "expected_datetime": _datetime(nullable=True),
        # Null only for requests that are not about a place (a general question).
        "address": _string(nullable=True),
        "address_id": _string(nullable=True),
        "zipcode": _string(nullable=True),
        "lat": {"type": "number", "minimum": -90, "maximum": 90, "nullable": True},
        "long": {"type": "number", "minimum": -180, "maximum": 180, "nullable": True},
        "media_url": _string(nullable=True, format="uri"),
    }
    extended_fields = {
        **request_fields,
        "notes": _array(_ref("Note")),
        "extended_attributes": _ref("ExtendedAttributes"),
    }
    return {
        "Error": _obj(
            {
                "code": {"type": "integer"},
                "description": _string(),
            }
        ),
        "Errors": _array(_ref("Error"), minItems=1),
        "DiscoveryEndpoint": _obj(
            {
                "specification": _string(),
                "url": _string(format="uri"),
                "changeset": _string(),
                "type": _string(enum=["production", "test"]),
                "formats": _array(_string(enum=[XML, JSON]), minItems=1),
            }
        ),
        "Discovery": _obj(
            {
                "changeset": _string(),
                "contact": _string(),
                "key_service": _string(),
                "endpoints": _array(_ref("DiscoveryEndpoint"), minItems=1),
            }
        ),
        "Service": _obj(
            {
                "service_code": _string(),
                "service_name": _string(),
                "description": _string(nullable=True),
                "metadata": {"type": "boolean"},
                "type": _string(enum=["realtime", "batch", "blackbox"]),
                "keywords": _string(nullable=True),
                # Optional in the spec, but boston311 needs a string here.
                "group": _string(),
                # FixMyStreet's extension: every group of a service in several.
                "groups": _array(_string()),
            },
            optional=("groups",),
        ),
        "ServiceList": _array(_ref("Service")),
        "AttributeValue": _obj({"key": _string(), "name": _string()}),
        "Attribute": _obj(
            {
                "variable": {"type": "boolean"},
                "code": _string(),
                "datatype": _string(
                    enum=[
                        "string",
                        "number",
                        "datetime",
                        "text",
                        "singlevaluelist",
                        "multivaluelist",
                    ]
                ),
                "required": {"type": "boolean"},
                "datatype_description": _string(nullable=True),
                "order": {"type": "integer", "minimum": 1},
                "description": _string(),
                "values": _array(_ref("AttributeValue")),
            },
            optional=("values",),
        ),
        "ServiceDefinition": _obj(
            {
                "service_code": _string(),
                "attributes": _array(_ref("Attribute")),
            }
        ),
        "ServiceRequest": _obj(request_fields),
        "Note": _obj(
            {
                "datetime": _datetime(),
                "description": _string(nullable=True),
                "type": _string(),
            }
        ),
        "Photo": _obj(
            {
                "media_url": _string(format="uri"),
                "width": {"type": "integer", "nullable": True},
                "height": {"type": "integer", "nullable": True},
                "created_at": _datetime(),
            },
            optional=("width", "height", "created_at"),
        ),
        "ExtendedAttributes": _obj(
            {
                "channel": _string(),
                "zones": _array(_string()),
                "duplicate_of": _string(nullable=True),
                "supporters": {"type": "integer", "minimum": 0},
                "photos": _array(_ref("Photo")),
                "external_id": _string(nullable=True),
                # Frontdoor's own workflow status and resolution, finer than open/closed.
                "detailed_status": _string(),
                "resolution": _string(nullable=True),
            },
            optional=("detailed_status", "resolution"),
        ),
        "ServiceRequestExtended": _obj(extended_fields),
        # A 17-key request and a 19-key one cannot both match: exactly one of the two does.
        "ServiceRequestList": _array(
            {"oneOf": [_ref("ServiceRequest"), _ref("ServiceRequestExtended")]}
        ),
        "CreatedRequest": _obj(
            {
                "service_request_id": _string(),
                "service_notice": _string(nullable=True),
                "account_id": _string(nullable=True),
            }
        ),
        "AcceptedRequest": _obj(
            {
                "token": _string(),
                "service_notice": _string(nullable=True),
                "account_id": _string(nullable=True),
            }
        ),
        # An id for a realtime service or a token for a batch one, never both.
        "PostResult": _array(
            {"oneOf": [_ref("CreatedRequest"), _ref("AcceptedRequest")]}, minItems=1
        ),
        # While the request is being filed only the token is known.
        "TokenResult": _array(
            _obj(
                {"token": _string(), "service_request_id": _string()},
                optional=("service_request_id",),
            ),
            minItems=1,
        ),
        "RequestUpdate": _obj(
            {
                "update_id": _string(),
                "service_request_id": _string(),
                "status": _string(enum=["open", "closed"]),
                "updated_datetime": _datetime(),
                "description": _string(nullable=True),
                "media_url": _string(nullable=True, format="uri"),
                # FixMyStreet's optional fields.
                "external_status_code": _string(nullable=True),
                "customer_reference": _string(nullable=True),
                "fixmystreet_id": _string(nullable=True),
                "service_request_id_ext": _string(nullable=True),
                "extras": {"type": "object", "additionalProperties": _string()},
            },
            optional=(
                "external_status_code",
                "customer_reference",
                "fixmystreet_id",
                "service_request_id_ext",
                "extras",
            ),
        ),
        "RequestUpdateList": _array(_ref("RequestUpdate")),
        "PostedUpdate": _array(
            _obj(
                {"update_id": _string(), "account_id": _string(nullable=True)},
                optional=("account_id",),
            ),
            minItems=1,
        ),
    }


# --- parameters -------------------------------------------------------------------------


def _query(name: str, schema: Schema, description: str, *, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def _path_param(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        # A path segment before ".json": no slash, and not empty.
        "schema": _string(pattern=r"^[^/]+$", minLength=1),
    }


JURISDICTION = _query(
    "jurisdiction_id",
    _string(),
    "Optional: this server serves one jurisdiction. Its own id or none is accepted; "
    "any other is a 404.",
)

_DATE_DESCRIPTION = "W3C datetime with a time zone (Z or ±hh:mm); without one it is a 400."


def _request_list_parameters() -> list[Schema]:
    return [
        JURISDICTION,
        _query(
            "service_request_id",
            _string(),
            "Comma-separated ids; overrides every other filter.",
        ),
        _query("service_code", _string(), "Comma-separated service codes; default all."),
        _query(
            "status",
            _string(pattern=r"^((open|closed)(,(open|closed))*)?$"),
            "Comma-separated: open, closed; default both.",
        ),
        _query(
            "start_date", _string(format="date-time"), f"requested on or after. {_DATE_DESCRIPTION}"
        ),
        _query(
            "end_date", _string(format="date-time"), f"requested on or before. {_DATE_DESCRIPTION}"
        ),
        _query("updated_after", _string(format="date-time"), f"Extension. {_DATE_DESCRIPTION}"),
        _query("updated_before", _string(format="date-time"), f"Extension. {_DATE_DESCRIPTION}"),
        _query("page", {"type": "integer", "minimum": 1}, "Extension: 1-based page number."),
        _query(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": 1000},
            "Extension: requests per page (at most 1000).",
        ),
        _extensions_parameter(),
    ]


def _extensions_parameter() -> Schema:
    return _query(
        "extensions",
        {"type": "boolean"},
        "Extension: true adds `notes` and `extended_attributes` to each request.",
    )


def _request_form() -> Schema:
    properties: dict[str, Schema] = {
        "api_key": _string(description="Write key; may also come in the query string."),
        "jurisdiction_id": _string(),
        "service_code": _string(minLength=1),
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": _string(),
        "address_id": _string(),
        "email": _string(),
        "device_id": _string(),
        "account_id": _string(),
        "first_name": _string(),
        "last_name": _string(),
        "phone": _string(),
        "description": _string(maxLength=4000),
        "media_url": _array(_string(format="uri"), description="May be repeated."),
    }
    return {
        "type": "object",
        "properties": properties,
        "required": ["api_key", "service_code"],
        "description": (
            "A location is required for most services: lat and long together, address_string "
            "or address_id. Answers go in `attribute[CODE]=value`; a multivaluelist as "
            "repeated `attribute[CODE][]=value` (or repeated `attribute[CODE]=value`)."
        ),
        # attribute[CODE] and attribute[CODE][] fields, whose names come from the catalogue.
        "additionalProperties": {"oneOf": [_string(), _array(_string())]},
    }


def _update_form() -> Schema:
    properties: dict[str, Schema] = {
        "api_key": _string(description="Partner key; may also come in the query string."),
        "jurisdiction_id": _string(),
        "service_request_id": _string(minLength=1),
        "update_id": _string(minLength=1),
        "status": _string(enum=list(UPDATE_STATUSES)),
        "updated_datetime": _string(format="date-time"),
        "description": _string(),
        "media_url": _array(_string(format="uri"), description="May be repeated."),
        "email": _string(),
        "first_name": _string(),
        "last_name": _string(),
        "phone": _string(),
        "title": _string(),
        "account_id": _string(),
        "service_code": _string(),
    }
    return {
        "type": "object",
        "properties": properties,
        "required": [
            "api_key",
            "service_request_id",
            "update_id",
            "status",
            "updated_datetime",
            "description",
        ],
    }


# --- operations -------------------------------------------------------------------------

ERROR_STATUSES = {
    "400": "Invalid request (a bad parameter, a failed attribute, a date without a time zone).",
    "403": "Missing or invalid api_key.",
    "404": "Unknown service, request, token or jurisdiction.",
    "422": "The Idempotency-Key was used before for a different request.",
    "429": "Too many writes with this key; try again later.",
}


def _body(fmt: str, component: str | None) -> Schema:
    if fmt == "json":
        return {JSON: {"schema": _ref(component) if component else {"type": "object"}}}
    # XML is schemaless in GeoReport v2; the conformance tests check its element names.
    return {XML: {"schema": {"type": "string"}}}


def _responses(fmt: str, ok: str, *, errors: tuple[str, ...]) -> dict[str, Schema]:
    responses: dict[str, Schema] = {
        "200": {"description": "Success.", "content": _body(fmt, ok)},
    }
    for status in errors:
        responses[status] = {
            "description": ERROR_STATUSES[status],
            "content": _body(fmt, "Errors"),
        }
    return responses


def _operation(
    fmt: str,
    operation_id: str,
    summary: str,
    ok: str,
    *,
    parameters: list[Schema],
    errors: tuple[str, ...] = ("400", "404"),
    form: Schema | None = None,
    tag: str = "GeoReport v2",
) -> Schema:
    suffix = "Json" if fmt == "json" else "Xml"
    operation: Schema = {
        "operationId": f"{operation_id}{suffix}",
        "summary": f"{summary} ({fmt.upper()})",
        "tags": [tag],
        "parameters": copy.deepcopy(parameters),
        "responses": _responses(fmt, ok, errors=errors),
    }
    if form is not None:
        multipart = copy.deepcopy(form)
        multipart["properties"]["media"] = _string(
            format="binary", description="A photo (JPEG, PNG, WebP or HEIC)."
        )
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": copy.deepcopy(form)},
                "multipart/form-data": {"schema": multipart},
            },
        }
    return operation


def _paths() -> dict[str, Schema]:
    v2 = "/open311/v2"
    paths: dict[str, Schema] = {}
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "A retry with the same key and body gets the first answer again.",
        "schema": _string(maxLength=200),
    }
    for fmt in FORMATS:
        for prefix, operation_id in (("/open311", "getDiscovery"), (v2, "getDiscoveryV2")):
            paths[f"{prefix}/discovery.{fmt}"] = {
                "get": _operation(
                    fmt,
                    operation_id,
                    "Service discovery",
                    "Discovery",
                    parameters=[],
                    errors=(),
                    tag="Discovery",
                )
            }
        paths[f"{v2}/services.{fmt}"] = {
            "get": _operation(
                fmt, "getServiceList", "Service list", "ServiceList", parameters=[JURISDICTION]
            )
        }
        paths[f"{v2}/services/{{service_code}}.{fmt}"] = {
            "get": _operation(
                fmt,
                "getServiceDefinition",
                "Service definition: the questions of one service",
                "ServiceDefinition",
                parameters=[
                    _path_param("service_code", "A code from the service list."),
                    JURISDICTION,
                ],
            )
        }
        paths[f"{v2}/requests.{fmt}"] = {
            "get": _operation(
                fmt,
                "getServiceRequests",
                "Service requests, newest first",
                "ServiceRequestList",
                parameters=_request_list_parameters(),
            ),
            "post": _operation(
                fmt,
                "postServiceRequest",
                "File a service request",
                "PostResult",
                parameters=[
                    _query("api_key", _string(), "The write key, if not in the body."),
                    idempotency,
                ],
                errors=("400", "403", "404", "422", "429"),
                form=_request_form(),
            ),
        }
        paths[f"{v2}/requests/{{service_request_id}}.{fmt}"] = {
            "get": _operation(
                fmt,
                "getServiceRequest",
                "One service request (a list of one)",
                "ServiceRequestList",
                parameters=[
                    _path_param("service_request_id", "The request's id."),
                    JURISDICTION,
                    _extensions_parameter(),
                ],
            )
        }
        paths[f"{v2}/tokens/{{token}}.{fmt}"] = {
            "get": _operation(
                fmt,
                "getToken",
                "The request id for a token from a batch service",
                "TokenResult",
                parameters=[_path_param("token", "A token from a POST."), JURISDICTION],
            )
        }
        paths[f"{v2}/servicerequestupdates.{fmt}"] = {
            "get": _operation(
                fmt,
                "getServiceRequestUpdates",
                "Feed of public updates to requests",
                "RequestUpdateList",
                parameters=[
                    JURISDICTION,
                    _query("api_key", _string(), "Ignored: reading needs no key."),
                    _query("start_date", _string(format="date-time"), _DATE_DESCRIPTION),
                    _query("end_date", _string(format="date-time"), _DATE_DESCRIPTION),
                    _query("page", {"type": "integer", "minimum": 1}, "1-based page number."),
                    _query(
                        "page_size",
                        {"type": "integer", "minimum": 1, "maximum": 1000},
                        "Updates per page (at most 1000).",
                    ),
                ],
                tag="Extensions",
            ),
            "post": _operation(
                fmt,
                "postServiceRequestUpdate",
                "A partner system posts an update to a request",
                "PostedUpdate",
                parameters=[_query("api_key", _string(), "The partner key, if not in the body.")],
                errors=("400", "403", "404", "429"),
                form=_update_form(),
                tag="Extensions",
            ),
        }
    paths[f"{v2}/openapi.json"] = {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "tags": ["Discovery"],
            "responses": {"200": {"description": "OpenAPI 3.0", "content": _body("json", None)}},
        }
    }
    return paths


def openapi_document(base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 description of the API served at ``base_url`` (scheme and host)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Frontdoor Open311 GeoReport v2 API",
            "version": "2",
            "description": (
                "Open311 GeoReport v2 in XML and JSON, with the extensions page/page_size, "
                "updated_after/updated_before, extensions=true, servicerequestupdates and "
                "multipart photo upload. Only POSTs need an api_key."
            ),
        },
        "externalDocs": {"description": "GeoReport v2", "url": SPEC_URL},
        "servers": [{"url": base_url.rstrip("/")}],
        "tags": [
            {"name": "Discovery"},
            {"name": "GeoReport v2"},
            {"name": "Extensions"},
        ],
        "paths": _paths(),
        "components": {"schemas": _schemas()},
    }


def component_json_schema(name: str) -> dict[str, Any]:
    """A component as a standalone JSON Schema (draft 2020-12), for validating responses.

    OpenAPI 3.0's ``nullable`` becomes a ``null`` type and references point into ``$defs``.
    """

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: convert(value) for key, value in node.items() if key != "nullable"}
        if "$ref" in out:
            out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
        if node.get("nullable"):
            out["type"] = [node["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out

    schemas = _schemas()
    if name not in schemas:
        raise KeyError(f"No component schema named {name!r}.")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **convert(schemas[name]),
        "$defs": convert(schemas),
    }


@require_GET
def openapi_view(request: HttpRequest) -> JsonResponse:
    base_url = f"{request.scheme}://{request.get_host()}"
    return JsonResponse(
        openapi_document(base_url),
        content_type="application/json; charset=utf-8",
        json_dumps_params={"indent": 1},
    )
