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


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number") from None
    if value <= 0:
        raise ConfigurationError(f"{name}={raw!r} must be above 0")
    return value


def _env_flag(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r}: use true or false")


BASE_URL_ENV = "TENDERLENS_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    """Where the web app is reached, for links in emails (``TENDERLENS_BASE_URL``)."""
    url = os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"{BASE_URL_ENV}={url!r}: use an http(s) URL, e.g. https://tenders.example.org"
        )
    return url.rstrip("/")


def _is_local(url: str) -> bool:
    host = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    return url.startswith("http://") and host in {"localhost", "127.0.0.1", "[::1]"}


@dataclass(frozen=True)
class MailSettings:
    """How alerts and account emails are sent (``TENDERLENS_SMTP_*``) and the links they carry."""

    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    from_address: str = "tenderlens@localhost"
    base_url: str = DEFAULT_BASE_URL

    @classmethod
    def load(cls) -> MailSettings:
        return cls(
            host=os.environ.get("TENDERLENS_SMTP_HOST", "").strip() or "localhost",
            port=_env_int("TENDERLENS_SMTP_PORT", 25),
            username=os.environ.get("TENDERLENS_SMTP_USERNAME") or None,
            password=os.environ.get("TENDERLENS_SMTP_PASSWORD") or None,
            starttls=_env_flag("TENDERLENS_SMTP_STARTTLS", default=False),
            from_address=os.environ.get("TENDERLENS_SMTP_FROM", "").strip() or "tenderlens@localhost",
            base_url=base_url(),
        )


@dataclass(frozen=True)
class AccountSettings:
    """Accounts: password length, token and session lifetimes, sign-in throttling, cookie security."""

    base_url: str = DEFAULT_BASE_URL
    password_min_length: int = 10
    verify_token_hours: int = 48
    reset_token_hours: int = 1
    session_days: int = 30
    login_max_failures: int = 5  # per email
    login_max_failures_per_client: int = 20  # per client IP (several people may share one)
    login_window_minutes: int = 15
    secure_cookies: bool = False

    @classmethod
    def load(cls) -> AccountSettings:
        url = base_url()
        return cls(
            base_url=url,
            password_min_length=_env_int("TENDERLENS_PASSWORD_MIN_LENGTH", 10),
            verify_token_hours=_env_int("TENDERLENS_VERIFY_TOKEN_HOURS", 48),
            reset_token_hours=_env_int("TENDERLENS_RESET_TOKEN_HOURS", 1),
            session_days=_env_int("TENDERLENS_SESSION_DAYS", 30),
            login_max_failures=_env_int("TENDERLENS_LOGIN_MAX_FAILURES", 5),
            login_max_failures_per_client=_env_int("TENDERLENS_LOGIN_MAX_FAILURES_PER_CLIENT", 20),
            login_window_minutes=_env_int("TENDERLENS_LOGIN_WINDOW_MINUTES", 15),
            # Secure cookies everywhere except a plain-http local address (development).
            secure_cookies=_env_flag("TENDERLENS_SECURE_COOKIES", default=not _is_local(url)),
        )
