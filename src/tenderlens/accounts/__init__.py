"""Accounts: users and their sessions and tokens (:mod:`.users`), and what each user keeps (:mod:`.store`).

Tables are in :mod:`.tables` (migration 0004). Every function that reads or writes a user's
data takes that user's id and scopes its query by it.
"""

from __future__ import annotations

from tenderlens.accounts.model import ApiToken, User, instant, parse_instant

__all__ = ["ApiToken", "User", "instant", "parse_instant"]
