"""Every wait, limit and attempt count of a harvest, in one frozen settings object.

Defaults follow the real services (see ``docs/harvest.md`` for why each is what it is). Each
field can be set from the environment as ``TENDERLENS_HARVEST_<FIELD>`` (``TENDERLENS_HARVEST_
MIN_INTERVAL=0.5``) and from the command line; tests use tiny values so they run fast.
Durations are seconds, or a number with a unit: ``250ms``, ``30s``, ``10m``, ``6h``, ``7d``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Final

from tenderlens import __version__
from tenderlens.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_PREFIX: Final = "TENDERLENS_HARVEST_"
_UNITS: Final = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION: Final = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds from ``"30"``, ``"30s"``, ``"10m"``, ``"6h"``, ``"7d"`` or ``"250ms"``."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30, 30s, 10m, 6h, 7d)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


@dataclass(frozen=True, slots=True)
class HarvestSettings:
    """How a harvest behaves. ``None`` means "the source's own default" (see each source)."""

    #: Seconds between the end of one request and the start of the next, per source.
    min_interval: float | None = None
    #: Wait after a rate-limit answer (FTS 429, Contracts Finder 403) that has no Retry-After.
    rate_limit_wait: float | None = None
    #: Rate-limit answers in a row before the request is given up.
    rate_limit_attempts: int = 5
    #: Tries of one request on 5xx answers, timeouts and dropped connections.
    attempts: int = 5
    #: First backoff after such a failure; it doubles on each further one (plus jitter).
    backoff: float = 5.0
    #: Longest backoff between tries.
    backoff_max: float = 300.0
    #: Random extra on each backoff, as a fraction of it (0.25: up to 25% longer).
    jitter: float = 0.25
    #: Fetches of a page whose body is truncated or not JSON before the harvest reports it.
    invalid_body_attempts: int = 3
    #: Seconds to wait for the server (connecting, and between bytes of an answer).
    timeout: float = 360.0
    #: Releases asked for per page (the APIs' maximum is 100).
    page_limit: int = 100
    #: Pages followed in one window before the cursor chain is taken to be looping.
    max_pages: int = 10_000
    #: Longest window asked for in one chain of pages; ``None``: the source's (FTS 6 h, CF 15 days).
    window: float | None = None
    #: How far back the first harvest of a source (no checkpoint yet) starts.
    lookback: float = 7 * 86400.0
    #: How far before the checkpoint a continuing harvest starts again (late-indexed releases,
    #: and the publishers' unstated time zone); what it re-reads is stored once.
    overlap: float = 2 * 3600.0
    #: Seconds between rounds with ``--follow``.
    every: float = 600.0
    #: The User-Agent header sent with every request.
    user_agent: str = f"tenderlens/{__version__} (OCDS harvester)"

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ConfigurationError(f"harvest setting {field.name} must not be negative (got {value})")
        for name in ("attempts", "rate_limit_attempts", "invalid_body_attempts", "page_limit", "max_pages"):
            if getattr(self, name) < 1:
                raise ConfigurationError(f"harvest setting {name} must be at least 1")
        if self.window is not None and self.window <= 0:
            raise ConfigurationError("harvest setting window must be positive")

    @classmethod
    def env_var(cls, name: str) -> str:
        return ENV_PREFIX + name.upper()

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> HarvestSettings:
        """Defaults, then ``TENDERLENS_HARVEST_*`` variables, then ``overrides`` that are not None.

        Override values may be text (parsed like the environment) or already typed.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(cls.env_var(field.name))
            if raw is not None and raw.strip() != "":
                values[field.name] = _convert(field.name, raw, cls.env_var(field.name))
        for name, value in overrides.items():
            if name not in _TYPES:
                raise ConfigurationError(f"unknown harvest setting {name!r}; known: {', '.join(_TYPES)}")
            if isinstance(value, str):
                values[name] = _convert(name, value, f"--{name.replace('_', '-')}")
            elif value is not None:
                values[name] = value
        return cls(**values)

    def replace(self, **changes: Any) -> HarvestSettings:
        return dataclasses.replace(self, **changes)


def _field_types() -> dict[str, str]:
    found: dict[str, str] = {}
    for field in fields(HarvestSettings):
        kind = str(field.type)
        if kind in {"int", "str"}:
            found[field.name] = kind
        else:
            found[field.name] = "number" if field.name == "jitter" else "duration"
    return found


_TYPES: Final = _field_types()


def _convert(name: str, raw: str, where: str) -> Any:
    kind = _TYPES[name]
    try:
        if kind == "int":
            return int(raw)
        if kind == "str":
            return raw
        if kind == "number":
            return float(raw)
        return parse_duration(raw)
    except ValueError as error:
        raise ConfigurationError(f"{where}={raw!r}: {error}") from None
