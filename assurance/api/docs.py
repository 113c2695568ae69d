"""The API's documentation page: the OpenAPI schema, read out as an NHS.UK page.

Server-rendered from the same schema ``/api/v1/openapi.json`` serves, so the page and the
schema cannot disagree; no third-party script (Swagger UI would need a CDN the site's
content security policy rightly refuses).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from assurance.api.v1 import api


def _describe(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = components.get(name, {})
        return _describe(target, components) if "enum" in target else name
    for combined in ("anyOf", "allOf"):
        if combined in schema:
            return " or ".join(_describe(s, components) for s in schema[combined])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "")
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "pattern") if k in schema]
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    components = schema["components"]["schemas"]
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            security = op.get("security") or []
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": op.get("operationId", path),
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "token": "required" if security and {} not in security else "optional",
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _describe(p.get("schema", {}), components),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return ops


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    example = next(iter(schema["components"]["schemas"]))
    return render(
        request,
        "assurance/api/docs.html",
        {
            "info": schema["info"],
            "operations": _operations(schema),
            "schema_url": reverse("api:openapi-json"),
            "components": sorted(schema["components"]["schemas"]),
            "example": example,
            "schema_size": len(json.dumps(schema)),
        },
    )
