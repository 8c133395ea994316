"""What a harvest raises. Each failure names the URL, what went wrong and how often it was tried."""

from __future__ import annotations

from tenderlens.exceptions import TenderlensError


class HarvestError(TenderlensError):
    """A harvest of one source could not go on; the checkpoint stays at the last whole window."""


class FetchError(HarvestError):
    """A request failed for good: an error status, or retries used up (raised by ``http``)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class InvalidBody(HarvestError):  # noqa: N818 - it names what was received, as users see it
    """A page was truncated or is not an OCDS package (raised by ``pages.inspect_package``)."""


class HarvestStopped(HarvestError):  # noqa: N818 - a signal, not a failure
    """The stop event was set (``--follow`` interrupted, ``serve`` shutting down)."""
