"""A polite, resilient HTTP client: the only way a harvest talks to a server.

Polite: one request at a time, and at least ``min_interval`` seconds between the end of one
answer and the next request. Resilient, in the ways FTS and Contracts Finder are known to fail:

* a rate-limit answer (FTS 429, often without ``Retry-After``; CF 403) waits ``Retry-After``
  or the source's default wait, then asks again, up to ``rate_limit_attempts`` times;
* 500, 502, 503, 504 (and 408, 522, 524), timeouts, refused and reset connections and transfers
  cut short are retried after an exponential backoff with jitter, up to ``attempts`` tries;
* a body that ``check`` rejects (truncated or not JSON) is fetched again, up to
  ``invalid_body_attempts`` times, then reported.

Bodies are handed on as UTF-8, decoded as the server declares (Contracts Finder declares
ISO-8859-1). Every wait goes through the stop event, so a stop takes effect at once.
"""

from __future__ import annotations

import codecs
import logging
import random
import threading
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

import httpx

from tenderlens.harvest.errors import FetchError, HarvestStopped, InvalidBody
from tenderlens.harvest.logs import emit

if TYPE_CHECKING:
    from collections.abc import Callable

    from tenderlens.harvest.settings import HarvestSettings

T = TypeVar("T")

#: Answers that are worth asking again after a backoff (Scrapy's list, which kingfisher uses).
RETRY_STATUSES: Final = frozenset({408, 500, 502, 503, 504, 522, 524})


def to_utf8(body: bytes, declared: str | None, fallback: str) -> bytes:
    """``body`` as UTF-8: decoded with the declared charset, else as UTF-8, else ``fallback``."""
    codec: str | None = None
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = None
    if codec is None:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            codec = codecs.lookup(fallback).name
        else:
            return body
    if codec == "utf-8":
        return body
    return body.decode(codec, errors="replace").encode("utf-8")


def retry_after(response: httpx.Response) -> float | None:
    """Seconds asked for by ``Retry-After`` (a number or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(str(value)))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"timed out ({type(error).__name__})"
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"


class PoliteClient:
    """One source's HTTP client. Not shared between threads: a source harvests one page at a time."""

    def __init__(
        self,
        settings: HarvestSettings,
        *,
        source: str,
        min_interval: float,
        rate_limit_statuses: frozenset[int],
        rate_limit_wait: float,
        encoding: str = "utf-8",
        stop: threading.Event | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.min_interval = min_interval
        self.rate_limit_statuses = rate_limit_statuses
        self.rate_limit_wait = rate_limit_wait
        self.encoding = encoding
        self.stop = stop or threading.Event()
        self.requests = 0
        self._last_end: float | None = None
        self._random = random.Random()  # noqa: S311 - jitter, not cryptography
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            headers={"User-Agent": settings.user_agent, "Accept": "application/json"},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- waiting ----------------------------------------------------------------------------

    def sleep(self, seconds: float, reason: str = "", **fields: Any) -> None:
        """Wait, unless the stop event is set first (then raise :class:`HarvestStopped`)."""
        if reason and seconds > 0:
            emit(
                "waiting",
                f"{self.source}: waiting {seconds:.1f} s: {reason}",
                source=self.source,
                seconds=seconds,
                reason=reason,
                **fields,
            )
        if self.stop.wait(max(0.0, seconds)):
            raise HarvestStopped(f"{self.source}: stopped")

    def _space(self) -> None:
        wait = 0.0
        if self._last_end is not None:
            wait = self.min_interval - (time.monotonic() - self._last_end)
        self.sleep(wait)

    def _backoff(self, failures: int, hinted: float | None = None) -> float:
        base = min(self.settings.backoff * 2.0 ** (failures - 1), self.settings.backoff_max)
        delay = base * (1 + self.settings.jitter * self._random.random())
        return max(delay, hinted or 0.0)

    # -- fetching ---------------------------------------------------------------------------

    def get(self, url: str, check: Callable[[bytes], T]) -> tuple[bytes, T]:
        """The UTF-8 body at ``url`` and what ``check`` made of it, retried as the module says.

        ``check`` raises :class:`InvalidBody` for a body worth fetching again. Raises
        :class:`FetchError` when an answer is final (404, say) or the tries are used up.
        """
        failures = rate_limited = invalid = 0
        while True:
            self._space()
            self.requests += 1
            try:
                response = self._client.get(url)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
                raise FetchError(f"{url}: {error}") from error
            except httpx.TransportError as error:
                self._last_end = time.monotonic()
                failures += 1
                what = _describe(error)
                if failures >= self.settings.attempts:
                    raise FetchError(f"{url}: {what}; gave up after {failures} tries") from error
                wait = self._backoff(failures)
                self._retrying(url, what, failures, wait)
                continue
            self._last_end = time.monotonic()
            status = response.status_code
            if status in self.rate_limit_statuses:
                rate_limited += 1
                if rate_limited >= self.settings.rate_limit_attempts:
                    message = f"{url}: HTTP {status} (rate limited) {rate_limited} times in a row; gave up"
                    raise FetchError(message, status)
                hinted = retry_after(response)
                wait = self.rate_limit_wait if hinted is None else hinted
                self.sleep(wait, f"HTTP {status}: rate limited", url=url, status=status, attempt=rate_limited)
                continue
            if status in RETRY_STATUSES:
                failures += 1
                if failures >= self.settings.attempts:
                    raise FetchError(f"{url}: HTTP {status}; gave up after {failures} tries", status)
                wait = self._backoff(failures, retry_after(response))
                self._retrying(url, f"HTTP {status}", failures, wait, status=status)
                continue
            if not response.is_success:
                excerpt = " ".join(response.text[:200].split())
                raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}: {excerpt}", status)
            body = to_utf8(response.content, response.charset_encoding, self.encoding)
            try:
                return body, check(body)
            except InvalidBody as error:
                invalid += 1
                if invalid >= self.settings.invalid_body_attempts:
                    raise InvalidBody(f"{url}: {error}; the same after {invalid} fetches") from error
                emit(
                    "invalid_body",
                    f"{self.source}: {url}: {error}; fetching it again",
                    level=logging.WARNING,
                    source=self.source,
                    url=url,
                    error=str(error),
                    attempt=invalid,
                )

    def _retrying(self, url: str, what: str, failures: int, wait: float, status: int | None = None) -> None:
        message = f"{url}: {what}; try {failures + 1} of {self.settings.attempts} in {wait:.1f} s"
        emit(
            "retry",
            f"{self.source}: {message}",
            level=logging.WARNING,
            source=self.source,
            url=url,
            error=what,
            status=status,
            attempt=failures,
            seconds=wait,
        )
        self.sleep(wait)
