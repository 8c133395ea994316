"""One exception tree for tenderlens, and the warnings raised for bad-but-usable data.

Recoverable data problems (a publisher quirk we can repair) are ``DataQualityWarning``s:
they are reported and the data still loads. Unrecoverable problems with one input item
are ``RejectedInput``: that item is skipped, the rest of the file still loads.
"""

from __future__ import annotations


class TenderlensError(Exception):
    """Base class of every error tenderlens raises on purpose."""


class ConfigurationError(TenderlensError):
    """A setting (database URL, data directory) is unusable. Raised at startup."""


class StoreError(TenderlensError):
    """The store cannot be opened, or its schema is not at the expected revision."""


class LockBusy(TenderlensError):  # noqa: N818 - it names the state, as users see it
    """A named lock (e.g. one harvest per source) is held by another process. Raised by Store.exclusive."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is already running in another process")
        self.name = name


class NotFoundError(TenderlensError, KeyError):
    """A requested ocid (or other key) is not in the store."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class InputError(TenderlensError):
    """A whole input (file, stream) cannot be read further: truncated JSON, not JSON, corrupt gzip.

    ``where`` names the file and the position ("data.json, byte 1234" or "x.jsonl, line 7").
    Items read before the error have already been yielded and still load.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class RejectedInput(TenderlensError):  # noqa: N818 - it names the outcome, as users see it
    """One item of an input (a release, a record) is unusable: no ocid, no date, not an object.

    The reader yields it in place of the release so the ingest can count and report it.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class DataQualityWarning(UserWarning):
    """A publisher quirk was repaired (e.g. ``1e9999``, ``deliveryAddresses`` as an object)."""
