"""What makes a release loadable: the checks every release must pass before it is stored."""

from __future__ import annotations

from tenderlens.ocds.dates import parse_instant

__all__ = ["json_type", "release_problem"]


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages ("an array", "a number")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def release_problem(release: object) -> str | None:
    """Why ``release`` must be rejected, or None if it can be loaded.

    A release needs a non-empty string ``ocid``; an ``id`` that is a non-empty string or an
    integer (publishers do send numbers; they are stored as text); and a ``date`` that is a
    date-time string :func:`~tenderlens.ocds.dates.parse_instant` understands, since merging
    orders releases by it.
    """
    if not isinstance(release, dict):
        return f"release is not a JSON object (it is {json_type(release)})"
    if "ocid" not in release or release["ocid"] is None:
        return "release has no ocid"
    ocid = release["ocid"]
    if not isinstance(ocid, str):
        return f"release ocid is not a string (it is {json_type(ocid)})"
    if not ocid.strip():
        return "release ocid is empty"
    if "id" not in release or release["id"] is None:
        return "release has no id"
    release_id = release["id"]
    if isinstance(release_id, bool) or not isinstance(release_id, (str, int)):
        return f"release id is not a string or an integer (it is {json_type(release_id)})"
    if isinstance(release_id, str) and not release_id.strip():
        return "release id is empty"
    if "date" not in release:
        return "release has no date"
    date = release["date"]
    if date is None:
        return "release date is null"
    if not isinstance(date, str):
        return f"release date is not a string (it is {json_type(date)})"
    if parse_instant(date) is None:
        return f"release date {date!r} is not a date-time"
    return None
