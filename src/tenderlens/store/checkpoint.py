"""WAL checkpoints off the writer's thread, for the length of a bulk write (an ingest).

SQLite appends every committed page to the write-ahead log, and the commit that takes the log
past ``wal_autocheckpoint`` pages copies it into the database file and syncs both, inside that
commit: at 100k releases, 7 of an ingest's 262 commits took 2.8 s of its main process's 14 s
(benchmarks/RESULTS.md, fifteenth measurement). A :class:`Checkpointer` runs passive checkpoints
from a thread with its own connection instead; the driver releases the GIL while SQLite copies
and syncs, so the writer goes on parsing and writing meanwhile. A passive checkpoint never
blocks a writer or a reader, and copies only frames no reader still needs; the log restarts
from its beginning once a checkpoint has caught up with it. The writer's own autocheckpoint
stays set, so if this thread falls behind (or fails) SQLite checkpoints as it would without it,
from the frames this thread has not copied yet.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Final

log = logging.getLogger(__name__)

#: Seconds between checkpoints: long enough that a page rewritten by many commits (an index's
#: interior pages) is copied once, short enough that each copies tens of MB, not hundreds.
EVERY: Final = 0.5


class Checkpointer:
    """A daemon thread checkpointing the WAL of the SQLite database at ``path`` until :meth:`stop`."""

    def __init__(self, path: str, every: float = EVERY) -> None:
        self._path = path
        self._every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tenderlens-checkpoint", daemon=True)
        self.checkpoints = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None)
        except sqlite3.Error as error:
            log.warning("WAL checkpoints left to SQLite (cannot open %s: %s)", self._path, error)
            return
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            while not self._stopping.wait(self._every):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
        except sqlite3.Error as error:
            log.warning("WAL checkpoints left to SQLite (%s: %s)", self._path, error)
        finally:
            conn.close()
