"""``/api``: the JSON routes described in words (from the OpenAPI schema), so the API needs no JavaScript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tenderlens.web.rendering import render

router = APIRouter()


def api_context(schema: dict[str, Any]) -> dict[str, Any]:
    routes = []
    for path, methods in sorted(schema.get("paths", {}).items()):
        for method, operation in methods.items():
            routes.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": (operation.get("description") or operation.get("summary") or "").strip(),
                    "tags": operation.get("tags", []),
                    "parameters": [
                        {
                            "name": parameter.get("name"),
                            "where": parameter.get("in"),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                }
            )
    return {
        "page_title": "API",
        "routes": routes,
        "openapi": "/api/openapi.json",
        "version": schema["info"]["version"],
    }


@router.get("/api", response_class=HTMLResponse, include_in_schema=False)
def api_page(request: Request) -> Response:
    return render("api.html", api_context(request.app.openapi()))
