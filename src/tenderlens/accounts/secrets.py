"""Random secrets and their digests: what is sent or set is random, what is stored is its sha256.

A session id, an API token or an emailed token has 256 bits from :mod:`secrets`; a stolen
database holds only digests, which cannot be turned back into working secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _random

API_TOKEN_PREFIX = "tl_"  # noqa: S105 - a marker, not a secret
PREFIX_LENGTH = 10  # "tl_" and 7 characters: enough to tell a user's tokens apart


def new_secret() -> str:
    """A URL-safe random string of 256 bits."""
    return _random.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + new_secret()


def digest(secret: str) -> str:
    """The stored form of a secret (sha256, hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token_for(secret: str) -> str:
    """The CSRF token of a browser: derived from its session id (or pre-session cookie).

    Only the holder of the cookie can compute it, so a page on another site cannot.
    """
    return hmac.new(secret.encode(), b"tenderlens csrf", hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
