"""Accounts: users, sessions, one-time email tokens, API tokens, login attempts, and what users keep.

Profiles, feedback (per user, and counted for anonymous visitors), learned relevance
weights, saved searches with their alert state, the watchlist (bid pipeline) and the alerts
sent. The tables are declared in :mod:`tenderlens.accounts.tables`; this revision is frozen
as written (a test compares the two).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _user_id(*, primary_key: bool = False) -> sa.Column[int]:
    return sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("verified_at", sa.Text),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("disabled_at", sa.Text),
    )
    op.create_table(
        "user_tokens",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("purpose", sa.Text, nullable=False),
        _user_id(),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.Column("used_at", sa.Text),
    )
    op.create_index("ix_user_tokens_user_id", "user_tokens", ["user_id"])
    op.create_table(
        "sessions",
        sa.Column("session_hash", sa.Text, primary_key=True),
        _user_id(),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.Column("last_seen_at", sa.Text, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _user_id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("last_used_at", sa.Text),
        sa.Column("revoked_at", sa.Text),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_key_at", "login_attempts", ["key", "at"])
    op.create_table(
        "profiles",
        _user_id(primary_key=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("cpv_codes", sa.JSON, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("exclusions", sa.JSON, nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
        sa.Column("value_min", sa.Float),
        sa.Column("value_max", sa.Float),
        sa.Column("sme", sa.Boolean, nullable=False),
        sa.Column("vcse", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_table(
        "feedback",
        _user_id(primary_key=True),
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("verdict", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("ix_feedback_ocid", "feedback", ["ocid"])
    op.create_table(
        "anonymous_feedback",
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("relevant", sa.Integer, nullable=False),
        sa.Column("not_relevant", sa.Integer, nullable=False),
    )
    op.create_table(
        "relevance_weights",
        _user_id(primary_key=True),
        sa.Column("feature", sa.Text, primary_key=True),
        sa.Column("weight", sa.Float, nullable=False),
    )
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _user_id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("frequency", sa.Text, nullable=False),
        sa.Column("feed_token", sa.Text, nullable=False, unique=True),
        sa.Column("unsubscribe_token", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("last_alert_at", sa.Text),
        sa.Column("last_alert_watermark", sa.Text),
    )
    op.create_index("ix_saved_searches_user_id", "saved_searches", ["user_id"])
    op.create_table(
        "watchlist",
        _user_id(primary_key=True),
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("seen_state", sa.JSON),
    )
    op.create_index("ix_watchlist_ocid", "watchlist", ["ocid"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _user_id(),
        sa.Column("saved_search_id", sa.Integer, sa.ForeignKey("saved_searches.id", ondelete="CASCADE")),
        sa.Column("ocid", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("sent_at", sa.Text, nullable=False),
    )
    op.create_index("ux_alert_deliveries_user_key", "alert_deliveries", ["user_id", "key"], unique=True)
    op.create_index("ix_alert_deliveries_saved_search_id", "alert_deliveries", ["saved_search_id"])


def downgrade() -> None:
    for table in (
        "alert_deliveries",
        "watchlist",
        "saved_searches",
        "relevance_weights",
        "anonymous_feedback",
        "feedback",
        "profiles",
        "login_attempts",
        "api_tokens",
        "sessions",
        "user_tokens",
        "users",
    ):
        op.drop_table(table)
