"""One error shape for every route: ``{"ok": false, "error", "errors", "status"}``.

HTML pages get the same facts as an error page; data routes (``.json``, ``.csv``, feeds,
``/api/``) get the JSON body. 404, 405, 422 (bad parameters), 503 (a search over its time
limit) and 500 all go through here.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tenderlens.exceptions import TenderlensError
from tenderlens.search.run import SearchTimeoutError
from tenderlens.web.rendering import json_response, render, wants_json

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response

log = logging.getLogger(__name__)


class WebError(TenderlensError):
    """An error a route raises on purpose, with its HTTP status and details (``errors``)."""

    def __init__(self, status: int, error: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.errors = errors or [{"message": error}]


def error_body(status: int, error: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one JSON error shape."""
    return {"ok": False, "error": error, "errors": errors or [{"message": error}], "status": status}


def respond(
    request: Request, status: int, error: str, errors: list[dict[str, Any]] | None = None
) -> Response:
    body = error_body(status, error, errors)
    if wants_json(request):
        return json_response(body, status)
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return render("error.html", {"title": title, "page_title": title, **body}, status)


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    return respond(request, exc.status, exc.error, exc.errors)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {404: "Not found: there is no page at this address", 405: "Method not allowed"}
    detail = (
        exc.detail
        if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
        else None
    )
    response = respond(
        request, exc.status_code, detail or messages.get(exc.status_code, HTTPStatus(exc.status_code).phrase)
    )
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc if part not in {"query", "path", "body"}]
    return ".".join(parts) or "request"


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _location(error.get("loc", ())), "message": str(error.get("msg", "invalid value"))}
        for error in exc.errors()
    ]
    return respond(request, 422, "Some parameters are not valid", errors)


async def _timeout(request: Request, _exc: Exception) -> Response:
    return respond(request, 503, "The search took too long: add words or filters to narrow it down")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error serving %s", request.url.path, exc_info=exc)
    return respond(request, 500, "Something went wrong on our side; the error has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(SearchTimeoutError, _timeout)
    app.add_exception_handler(Exception, _server_error)
