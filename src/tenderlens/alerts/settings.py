"""The alert cycle's settings: ``TENDERLENS_ALERTS_<FIELD>`` in the environment, or the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from tenderlens.exceptions import ConfigurationError
from tenderlens.harvest.settings import parse_duration

ENV_PREFIX: Final = "TENDERLENS_ALERTS_"


def _days(text: str) -> tuple[int, ...]:
    try:
        found = tuple(sorted({int(part) for part in text.replace(" ", "").split(",") if part}, reverse=True))
    except ValueError:
        raise ConfigurationError(f"{ENV_PREFIX}REMINDER_DAYS={text!r}: use whole days, e.g. 7,1") from None
    if any(day < 0 for day in found):
        raise ConfigurationError(f"{ENV_PREFIX}REMINDER_DAYS={text!r}: days must not be negative")
    return found


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """How often alerts run and what they look at."""

    #: Days before a submission deadline or engagement event that a reminder is sent (largest first).
    reminder_days: tuple[int, ...] = (7, 1)
    #: Seconds between cycles with ``tenderlens alerts run --follow``.
    every: float = 300.0
    #: A saved search's results read per cycle to find what changed since its watermark.
    scan_limit: int = 2000
    #: Notices listed in one e-mail (the rest are counted, with a link to the search).
    per_email: int = 25

    @classmethod
    def load(cls) -> AlertSettings:
        """Defaults, each overridden by ``TENDERLENS_ALERTS_<FIELD>`` (see ``docs/alerts.md``)."""
        base = cls()
        days = os.environ.get(f"{ENV_PREFIX}REMINDER_DAYS", "").strip()
        every = os.environ.get(f"{ENV_PREFIX}EVERY", "").strip()
        scan = os.environ.get(f"{ENV_PREFIX}SCAN_LIMIT", "").strip()
        per_email = os.environ.get(f"{ENV_PREFIX}PER_EMAIL", "").strip()
        try:
            return cls(
                reminder_days=_days(days) if days else base.reminder_days,
                every=parse_duration(every) if every else base.every,
                scan_limit=int(scan) if scan else base.scan_limit,
                per_email=int(per_email) if per_email else base.per_email,
            )
        except ValueError as error:
            raise ConfigurationError(f"{ENV_PREFIX}*: {error}") from None
