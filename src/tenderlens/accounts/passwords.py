"""Passwords: argon2id hashes (argon2-cffi's defaults), and one dummy hash for unknown emails.

Signing in with an email that has no account still verifies a password against a hash, so
the failure takes about as long as a wrong password and does not tell which emails exist.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("not a password anyone has")


def burn_time(password: str) -> None:
    """Spend a verification's time for an email with no account."""
    verify_password(_dummy_hash(), password)


def password_problem(password: str, email: str, min_length: int) -> str | None:
    """Why this password is not accepted, in words, or None."""
    if len(password) < min_length:
        return f"Use a password of at least {min_length} characters"
    if len(password) > 1024:  # argon2 copes, but nobody types more
        return "Use a password of at most 1,024 characters"
    if password.strip().lower() == email.strip().lower():
        return "Use a password that is not your email address"
    return None
