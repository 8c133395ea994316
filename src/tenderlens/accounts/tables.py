"""The account tables (created by migration 0004): users, their sessions and tokens, and what they keep.

Every table that holds a user's data has a ``user_id`` column, and every query in
:mod:`tenderlens.accounts.store` (and in ``match``/``alerts``) is scoped by it. Secrets are
never stored: one-time email tokens, session ids and API tokens are kept as their sha256.
Instants are UTC text (``2026-06-04T09:00:00Z``), so they sort as time on both backends.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, Table, Text

metadata = MetaData()

USER_ID = "users.id"

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", Text, nullable=False, unique=True),  # lower-cased, stripped
    Column("password_hash", Text, nullable=False),  # argon2id, never the password
    Column("created_at", Text, nullable=False),
    Column("verified_at", Text),  # NULL until the emailed verification link is followed
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("disabled_at", Text),  # set by an admin: no sign-in, no session, no API token
)

user_tokens = Table(
    "user_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),  # sha256 of the emailed token
    Column("purpose", Text, nullable=False),  # verify | reset
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("used_at", Text),  # a token works once
)
Index("ix_user_tokens_user_id", user_tokens.c.user_id)

sessions = Table(
    "sessions",
    metadata,
    Column("session_hash", Text, primary_key=True),  # sha256 of the cookie's session id
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("last_seen_at", Text, nullable=False),
)
Index("ix_sessions_user_id", sessions.c.user_id)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),  # sha256 of the token
    Column("prefix", Text, nullable=False),  # its first characters, to tell tokens apart
    Column("created_at", Text, nullable=False),
    Column("last_used_at", Text),
    Column("revoked_at", Text),
)
Index("ix_api_tokens_user_id", api_tokens.c.user_id)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False),  # "email:someone@example.org" or "ip:192.0.2.1"
    Column("at", Text, nullable=False),
    Column("ok", Boolean, nullable=False),
)
Index("ix_login_attempts_key_at", login_attempts.c.key, login_attempts.c.at)

profiles = Table(
    "profiles",
    metadata,
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), primary_key=True),
    Column("description", Text, nullable=False, default=""),  # what the supplier does, in its words
    Column("cpv_codes", JSON, nullable=False),  # list of CPV codes or prefixes (2 to 8 digits)
    Column("keywords", JSON, nullable=False),  # list of words or phrases
    Column("exclusions", JSON, nullable=False),  # list of words or phrases that rule a notice out
    Column("regions", JSON, nullable=False),  # list of ITL codes served (any level)
    Column("value_min", Float),
    Column("value_max", Float),
    Column("sme", Boolean, nullable=False, default=False),
    Column("vcse", Boolean, nullable=False, default=False),
    Column("updated_at", Text, nullable=False),
)

feedback = Table(
    "feedback",
    metadata,
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), primary_key=True),
    Column("ocid", Text, primary_key=True),
    Column("verdict", Integer, nullable=False),  # +1 relevant, -1 not relevant
    Column("created_at", Text, nullable=False),
)
Index("ix_feedback_ocid", feedback.c.ocid)

anonymous_feedback = Table(
    "anonymous_feedback",
    metadata,
    Column("ocid", Text, primary_key=True),
    Column("relevant", Integer, nullable=False, default=0),
    Column("not_relevant", Integer, nullable=False, default=0),
)

relevance_weights = Table(
    "relevance_weights",
    metadata,
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), primary_key=True),
    Column("feature", Text, primary_key=True),  # e.g. "cpv:85312320", "term:victim", "buyer:…"
    Column("weight", Float, nullable=False),
)

saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("query", Text, nullable=False),  # the search's URL query string, e.g. "q=victim&cpv=85"
    Column("frequency", Text, nullable=False),  # instant | daily | weekly | never
    Column("feed_token", Text, nullable=False, unique=True),  # in the private Atom feed's URL
    Column("unsubscribe_token", Text, nullable=False, unique=True),  # in the alert emails' link
    Column("created_at", Text, nullable=False),
    Column("last_alert_at", Text),
    Column("last_alert_watermark", Text),  # how far the last alert cycle read (alerts decide the form)
)
Index("ix_saved_searches_user_id", saved_searches.c.user_id)

watchlist = Table(
    "watchlist",
    metadata,
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), primary_key=True),
    Column("ocid", Text, primary_key=True),
    Column("stage", Text, nullable=False),  # interested | bidding | submitted | won | lost
    Column("notes", Text, nullable=False, default=""),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("seen_state", JSON),  # what the notice looked like when last alerted on (alerts decide)
)
Index("ix_watchlist_ocid", watchlist.c.ocid)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey(USER_ID, ondelete="CASCADE"), nullable=False),
    Column("saved_search_id", Integer, ForeignKey("saved_searches.id", ondelete="CASCADE")),
    Column("ocid", Text),
    Column("kind", Text, nullable=False),  # e.g. search | change | reminder (alerts decide)
    Column("key", Text, nullable=False),  # unique per user: the same alert is never sent twice
    Column("sent_at", Text, nullable=False),
)
Index("ux_alert_deliveries_user_key", alert_deliveries.c.user_id, alert_deliveries.c.key, unique=True)
Index("ix_alert_deliveries_saved_search_id", alert_deliveries.c.saved_search_id)

STAGES = ("interested", "bidding", "submitted", "won", "lost")
FREQUENCIES = ("instant", "daily", "weekly", "never")
TOKEN_PURPOSES = ("verify", "reset")
