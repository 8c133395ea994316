"""A harvest source: a publisher's OCDS API, declared by class attributes.

Both UK services paginate a release-package search by ``links.next`` (the OCDS pagination
extension) and filter it by a date window, so one base class covers them: a source is a ~30-line
subclass under ``harvest/sources`` that sets the attributes below, and the harvester does the
rest. A publisher with another pagination style gets another base class beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

#: How checkpoints and window bounds are written in the store and in logs: UTC, whole seconds.
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def instant_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(INSTANT_FORMAT)


def parse_instant_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Window:
    """A span of publication or update time, asked for as one chain of pages."""

    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{instant_text(self.start)}..{instant_text(self.end)}"


def split_windows(start: datetime, end: datetime, size: timedelta) -> list[Window]:
    """Consecutive windows from ``start`` to ``end``, none longer than ``size``.

    Each window starts at the instant the previous one ends: whether the APIs treat the bounds
    as inclusive is not documented, so the shared instant is asked for twice rather than never
    (a release fetched twice is stored once).
    """
    windows = []
    while start < end:
        stop = min(start + size, end)
        windows.append(Window(start, stop))
        start = stop
    return windows


class Source:
    """A release-package search paginated by ``links.next`` and filtered by a date window."""

    #: Name on the command line (``tenderlens harvest NAME``) and in the store's harvest state.
    name: ClassVar[str]
    #: The publisher's service, for help texts and the docs.
    title: ClassVar[str]
    #: Scheme and host of the real service; ``--base-url`` points a harvest at a mirror.
    base_url: ClassVar[str]
    #: Path of the release-package search.
    path: ClassVar[str]
    #: Path of one contracting process's record package; ``{ocid}`` is replaced (``--ocid``).
    record_path: ClassVar[str]
    #: Query parameters carrying the window's start and end.
    from_param: ClassVar[str]
    to_param: ClassVar[str]
    #: ``strftime`` format of those parameters; the instants are given in UTC.
    date_format: ClassVar[str] = "%Y-%m-%dT%H:%M:%S"
    #: Longest window asked for in one chain of pages.
    max_window: ClassVar[timedelta]
    #: Query parameter carrying the page size.
    limit_param: ClassVar[str] = "limit"
    #: Answers meaning "slow down": wait (``Retry-After``, else ``rate_limit_wait``) and retry.
    rate_limit_statuses: ClassVar[frozenset[int]] = frozenset({429})
    #: Seconds to wait after a rate-limit answer without ``Retry-After``.
    rate_limit_wait: ClassVar[float]
    #: Seconds between one request's end and the next one's start.
    min_interval: ClassVar[float]
    #: Charset of bodies whose ``Content-Type`` declares none and that are not valid UTF-8.
    encoding: ClassVar[str] = "utf-8"
    #: The ocid prefix this publisher registered (for the docs).
    ocid_prefix: ClassVar[str]

    @classmethod
    def search_url(cls, start: datetime, end: datetime, limit: int, base_url: str | None = None) -> str:
        """The first page of the window [start, end]."""
        params = {
            cls.from_param: start.astimezone(UTC).strftime(cls.date_format),
            cls.to_param: end.astimezone(UTC).strftime(cls.date_format),
            cls.limit_param: str(limit),
        }
        return f"{_root(base_url or cls.base_url)}{cls.path}?{urlencode(params, safe=':')}"

    @classmethod
    def record_url(cls, ocid: str, base_url: str | None = None) -> str:
        return _root(base_url or cls.base_url) + cls.record_path.format(ocid=quote(ocid, safe=""))

    @classmethod
    def next_url(cls, link: str, page_url: str, base_url: str | None = None) -> str:
        """Where ``links.next`` leads, kept on the harvested host.

        A relative link is resolved against the page. A link to another scheme or host (a
        mirror that copies pages verbatim, or an ``http`` link from an ``https`` service) is
        re-pointed at the base URL's, so a harvest never wanders off to another server.
        """
        target = urlsplit(urljoin(page_url, link))
        base = urlsplit(base_url or cls.base_url)
        if (target.scheme, target.netloc) != (base.scheme, base.netloc):
            target = target._replace(scheme=base.scheme, netloc=base.netloc)
        return urlunsplit(target._replace(fragment=""))


def _root(base_url: str) -> str:
    return base_url.rstrip("/")
