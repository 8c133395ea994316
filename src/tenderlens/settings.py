"""One typed settings object, resolved once at startup.

The database URL comes from ``--db``, else ``TENDERLENS_DATABASE_URL``, else an SQLite file
in the user's data directory (``platformdirs``), so a newcomer needs no configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from tenderlens.exceptions import ConfigurationError

DATABASE_URL_ENV = "TENDERLENS_DATABASE_URL"
DATA_DIR_ENV = "TENDERLENS_DATA_DIR"


def default_data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else user_data_path("tenderlens", appauthor=False)


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'tenderlens.sqlite'}"


@dataclass(frozen=True)
class Settings:
    database_url: str

    @classmethod
    def load(cls, database_url: str | None = None) -> Settings:
        url = database_url or os.environ.get(DATABASE_URL_ENV) or default_database_url()
        if "://" not in url:
            # A bare path is the friendliest way to name an SQLite file.
            url = f"sqlite:///{Path(url).expanduser().resolve()}"
        if not url.startswith(("sqlite", "postgresql")):
            raise ConfigurationError(
                f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql+psycopg://..."
            )
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return cls(database_url=url)
