"""The account's plain data: what crosses from the store to the web app and the alert cycles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def instant(moment: datetime) -> str:
    """UTC text that sorts as time on both backends: ``2026-06-04T09:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class User:
    """A signed-up user, as every route and alert sees them (never with the password hash)."""

    id: int
    email: str
    created_at: str
    verified_at: str | None
    is_admin: bool
    disabled_at: str | None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as listed: its name and prefix, never the token itself."""

    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
