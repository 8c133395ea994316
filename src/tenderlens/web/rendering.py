"""Templates and JSON twins: one context dict, rendered as HTML or returned as JSON.

Jinja2 autoescapes everything (HTML, SVG, XML). URLs from the data become links only when
they are http(s) (:func:`safe_url`); anything else — ``javascript:``, ``data:`` — is shown
as text and never made clickable.
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlencode, urlsplit

import jinja2
import orjson
from fastapi.responses import HTMLResponse, Response

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from fastapi import Request

JSON_MEDIA_TYPE: Final = "application/json"
_EMAIL: Final = re.compile(r"^[^@\s<>\"'():;,\\]+@[^@\s<>\"'():;,\\]+\.[^@\s<>\"'():;,\\]+$")
_PHONE: Final = re.compile(r"^\+?[\d\s().-]{5,30}$")


def safe_url(value: object) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host, else None (never a ``javascript:`` link)."""
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if any(ord(char) < 32 for char in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return candidate


def mailto(value: object) -> str | None:
    """A ``mailto:`` link for a plain e-mail address, else None."""
    if isinstance(value, str) and _EMAIL.match(value.strip()):
        return "mailto:" + quote(value.strip(), safe="@.+-_")
    return None


def tel(value: object) -> str | None:
    """A ``tel:`` link for a telephone number made of digits, spaces, brackets, dots and dashes."""
    if isinstance(value, str) and _PHONE.match(value.strip()):
        return "tel:" + re.sub(r"[^\d+]", "", value)
    return None


def notice_url(ocid: str) -> str:
    return "/notices/" + quote(ocid, safe="")


def buyer_url(key: str) -> str:
    return "/buyers/" + quote(key, safe="")


def with_query(path: str, params: Iterable[tuple[str, str]]) -> str:
    query = urlencode(list(params))
    return f"{path}?{query}" if query else path


def number_text(value: object) -> str:
    if isinstance(value, int | float) and math.isfinite(value):
        return f"{value:,.0f}"
    return ""


def _environment() -> jinja2.Environment:
    templates = resources.files("tenderlens.web") / "templates"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        safe_url=safe_url,
        mailto=mailto,
        tel=tel,
        notice_url=notice_url,
        buyer_url=buyer_url,
        number=number_text,
    )
    env.globals.update(with_query=with_query, notice_url=notice_url, buyer_url=buyer_url)
    return env


ENVIRONMENT: Final = _environment()


def render(template: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    html = ENVIRONMENT.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status)


def jsonable(value: object) -> Any:
    """Plain JSON data from a context: dataclasses as dicts, dates as ISO 8601, tuples as lists.

    The exact JSON types and the dataclasses already seen take a fast path (a notice page's
    context is some 1,000 dataclass instances, and ``dataclasses.fields`` on each was most of
    the cost of its JSON twin); anything else goes the general way.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None  # type: ignore[arg-type]
    if kind is dict:
        return {str(key): jsonable(member) for key, member in value.items()}  # type: ignore[attr-defined]
    if kind is list or kind is tuple:
        return [jsonable(member) for member in value]  # type: ignore[attr-defined]
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
    return _jsonable(value)


#: Field names of each dataclass :func:`jsonable` has met, in declaration order.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _jsonable(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(field.name for field in dataclasses.fields(value))
        _FIELD_NAMES[type(value)] = names
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {str(key): jsonable(member) for key, member in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(member) for member in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    body = orjson.dumps(jsonable(data), option=orjson.OPT_NON_STR_KEYS)
    return Response(body, status_code=status, media_type=JSON_MEDIA_TYPE, headers=dict(headers or {}))


def wants_json(request: Request) -> bool:
    """Whether an error on this request should be answered as JSON (any non-HTML route)."""
    path = request.url.path
    if path.startswith(("/api/", "/static/")) or _data_suffix(path):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _data_suffix(path: str) -> bool:
    return path.endswith((".json", ".jsonl", ".csv", ".atom", ".ics", ".css", ".svg"))
