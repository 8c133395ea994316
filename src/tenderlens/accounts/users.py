"""Who someone is: users, sessions, one-time email tokens, API tokens and login attempts.

Functions take the :class:`~tenderlens.store.Store` and "now" (the app's clock), so tests
can move time. Secrets go in and out as plain strings; only their digests are stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tenderlens.accounts.model import ApiToken, User, instant
from tenderlens.accounts.secrets import PREFIX_LENGTH, digest, new_api_token, new_secret
from tenderlens.accounts.tables import api_tokens, login_attempts, sessions, user_tokens, users
from tenderlens.exceptions import TenderlensError

if TYPE_CHECKING:
    from tenderlens.store import Store


class EmailTaken(TenderlensError):  # noqa: N818 - it names the state, as users see it
    """Raised by :func:`create_user` when an account with this email exists."""


_USER_COLUMNS = (
    users.c.id,
    users.c.email,
    users.c.created_at,
    users.c.verified_at,
    users.c.is_admin,
    users.c.disabled_at,
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        created_at=row.created_at,
        verified_at=row.verified_at,
        is_admin=bool(row.is_admin),
        disabled_at=row.disabled_at,
    )


# -- users ------------------------------------------------------------------------------------


def create_user(
    store: Store, email: str, password_hash: str, now: datetime, *, is_admin: bool = False
) -> User:
    """A new, unverified user; raises :class:`EmailTaken` if the email has an account."""
    email = normalise_email(email)
    try:
        with store.writing() as conn:
            user_id = conn.execute(
                insert(users)
                .values(
                    email=email,
                    password_hash=password_hash,
                    created_at=instant(now),
                    is_admin=is_admin,
                )
                .returning(users.c.id)
            ).scalar_one()
    except IntegrityError:
        raise EmailTaken(f"an account with the email {email} already exists") from None
    user = get_user(store, user_id)
    assert user is not None
    return user


def get_user(store: Store, user_id: int) -> User | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def user_with_hash(store: Store, email: str) -> tuple[User, str] | None:
    """The user with this email and their password hash, for signing in."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(*_USER_COLUMNS, users.c.password_hash).where(users.c.email == normalise_email(email))
        ).first()
    return (_user(row), row.password_hash) if row else None


def list_users(store: Store) -> list[User]:
    with store.engine.connect() as conn:
        return [_user(row) for row in conn.execute(select(*_USER_COLUMNS).order_by(users.c.id))]


def set_admin(store: Store, email: str, *, is_admin: bool = True) -> User | None:
    with store.writing() as conn:
        conn.execute(update(users).where(users.c.email == normalise_email(email)).values(is_admin=is_admin))
    found = user_with_hash(store, email)
    return found[0] if found else None


def set_disabled(store: Store, user_id: int, now: datetime, *, disabled: bool = True) -> None:
    """Disable (or re-enable) a user; disabling ends their sessions at once."""
    with store.writing() as conn:
        conn.execute(
            update(users).where(users.c.id == user_id).values(disabled_at=instant(now) if disabled else None)
        )
        if disabled:
            conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


def mark_verified(store: Store, user_id: int, now: datetime) -> None:
    with store.writing() as conn:
        conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.verified_at.is_(None))
            .values(verified_at=instant(now))
        )


def set_password(store: Store, user_id: int, password_hash: str) -> None:
    """A new password; every session of the user ends (a reset locks out whoever had it)."""
    with store.writing() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
        conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


# -- one-time email tokens --------------------------------------------------------------------


def issue_email_token(store: Store, user_id: int, purpose: str, now: datetime, lifetime: timedelta) -> str:
    """A token to email (verify | reset); it works once, until ``now + lifetime``."""
    token = new_secret()
    with store.writing() as conn:
        conn.execute(
            insert(user_tokens).values(
                token_hash=digest(token),
                purpose=purpose,
                user_id=user_id,
                created_at=instant(now),
                expires_at=instant(now + lifetime),
            )
        )
    return token


def _live_token(token: str, purpose: str, now: datetime) -> Any:
    return and_(
        user_tokens.c.token_hash == digest(token),
        user_tokens.c.purpose == purpose,
        user_tokens.c.used_at.is_(None),
        user_tokens.c.expires_at > instant(now),
    )


def peek_email_token(store: Store, token: str, purpose: str, now: datetime) -> int | None:
    """The user id a live token was issued to, without using it (to show the reset form)."""
    with store.engine.connect() as conn:
        user_id = conn.execute(select(user_tokens.c.user_id).where(_live_token(token, purpose, now))).scalar()
    return None if user_id is None else int(user_id)


def use_email_token(store: Store, token: str, purpose: str, now: datetime) -> int | None:
    """The user id the token was issued to, marking it used; None if unknown, used or expired."""
    condition = _live_token(token, purpose, now)
    with store.writing() as conn:
        user_id = conn.execute(select(user_tokens.c.user_id).where(condition)).scalar_one_or_none()
        if user_id is None:
            return None
        conn.execute(update(user_tokens).where(condition).values(used_at=instant(now)))
    return int(user_id)


# -- sessions ---------------------------------------------------------------------------------


def start_session(store: Store, user_id: int, now: datetime, lifetime: timedelta) -> str:
    """A new session id for the cookie; only its digest is stored."""
    session_id = new_secret()
    with store.writing() as conn:
        conn.execute(
            insert(sessions).values(
                session_hash=digest(session_id),
                user_id=user_id,
                created_at=instant(now),
                expires_at=instant(now + lifetime),
                last_seen_at=instant(now),
            )
        )
    return session_id


def session_user(store: Store, session_id: str, now: datetime) -> User | None:
    """The user of a live session (not expired, user not disabled), else None."""
    query = (
        select(*_USER_COLUMNS, sessions.c.last_seen_at)
        .join(users, users.c.id == sessions.c.user_id)
        .where(
            sessions.c.session_hash == digest(session_id),
            sessions.c.expires_at > instant(now),
            users.c.disabled_at.is_(None),
        )
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.last_seen_at < instant(now - timedelta(minutes=5)):
        with store.writing() as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.session_hash == digest(session_id))
                .values(last_seen_at=instant(now))
            )
    return _user(row)


def end_session(store: Store, session_id: str) -> None:
    with store.writing() as conn:
        conn.execute(delete(sessions).where(sessions.c.session_hash == digest(session_id)))


def session_count(store: Store, user_id: int, now: datetime) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(sessions)
                .where(sessions.c.user_id == user_id, sessions.c.expires_at > instant(now))
            ).scalar_one()
        )


# -- API tokens -------------------------------------------------------------------------------


def _api_token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def create_api_token(store: Store, user_id: int, name: str, now: datetime) -> tuple[str, ApiToken]:
    """A new token (shown to the user once) and its listing."""
    token = new_api_token()
    with store.writing() as conn:
        token_id = conn.execute(
            insert(api_tokens)
            .values(
                user_id=user_id,
                name=name,
                token_hash=digest(token),
                prefix=token[:PREFIX_LENGTH],
                created_at=instant(now),
            )
            .returning(api_tokens.c.id)
        ).scalar_one()
    return token, ApiToken(token_id, name, token[:PREFIX_LENGTH], instant(now), None, None)


def list_api_tokens(store: Store, user_id: int) -> list[ApiToken]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
        )
        return [_api_token(row) for row in rows]


def revoke_api_token(store: Store, user_id: int, token_id: int, now: datetime) -> bool:
    """Revoke one of this user's tokens; False if they have no such live token."""
    with store.writing() as conn:
        result = conn.execute(
            update(api_tokens)
            .where(
                api_tokens.c.id == token_id,
                api_tokens.c.user_id == user_id,
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=instant(now))
        )
    return bool(result.rowcount)


def api_token_user(store: Store, token: str, now: datetime) -> User | None:
    """The user of a live (not revoked) API token whose account is enabled, else None."""
    query = (
        select(*_USER_COLUMNS, api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at)
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(
            api_tokens.c.token_hash == digest(token),
            api_tokens.c.revoked_at.is_(None),
            users.c.disabled_at.is_(None),
        )
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.last_used_at is None or row.last_used_at < instant(now - timedelta(minutes=5)):
        with store.writing() as conn:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=instant(now))
            )
    return _user(row)


# -- login attempts (throttling) --------------------------------------------------------------


def record_login_attempt(store: Store, keys: list[str], *, ok: bool, now: datetime) -> None:
    """Note a sign-in attempt under each key (the email, the client IP); drop day-old ones."""
    with store.writing() as conn:
        conn.execute(insert(login_attempts), [{"key": key, "at": instant(now), "ok": ok} for key in keys])
        conn.execute(delete(login_attempts).where(login_attempts.c.at < instant(now - timedelta(days=1))))


def recent_failures(store: Store, key: str, since: datetime, *, success_clears: bool) -> list[str]:
    """The instants of failed attempts under ``key`` since ``since``, oldest first.

    With ``success_clears`` (an email's count) only failures after its last success count;
    an IP's count is not cleared, or one good account would reset it for guessing others.
    """
    after = login_attempts.c.at >= instant(since)
    with store.engine.connect() as conn:
        if success_clears:
            last_ok = conn.execute(
                select(func.max(login_attempts.c.at)).where(
                    login_attempts.c.key == key, login_attempts.c.ok.is_(True), after
                )
            ).scalar_one_or_none()
            if last_ok is not None:
                after = login_attempts.c.at > last_ok
        rows = conn.execute(
            select(login_attempts.c.at)
            .where(login_attempts.c.key == key, login_attempts.c.ok.is_(False), after)
            .order_by(login_attempts.c.at)
        )
        return [row.at for row in rows]
