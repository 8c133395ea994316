"""When a saved search's alert is due: instant searches every cycle, digests once a day or week."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from datetime import datetime

PERIODS: Final = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A digest is due a little early rather than a whole cycle late: cycles drift by seconds.
SLACK: Final = timedelta(minutes=10)
FREQUENCIES: Final = ("instant", "daily", "weekly")


def is_due(frequency: str, last_alert_at: datetime | None, now: datetime) -> bool:
    """Whether a search with this frequency, last alerted at ``last_alert_at``, is due at ``now``."""
    if frequency == "instant":
        return True
    period = PERIODS.get(frequency)
    if period is None:  # "never", or unknown: no alerts
        return False
    return last_alert_at is None or now - last_alert_at >= period - SLACK
