"""The account journeys: sign up, verify, sign in (throttled), reset a password.

Web-free: each takes the store, the settings, the mailer and "now", and returns plain data
or raises an :class:`AccountError` whose message can be shown as is. The routes in
:mod:`tenderlens.web.routes.accounts` only parse forms and pick pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tenderlens.accounts import users
from tenderlens.accounts.model import User, parse_instant
from tenderlens.accounts.passwords import burn_time, hash_password, password_problem, verify_password
from tenderlens.exceptions import TenderlensError
from tenderlens.mail import MailError

if TYPE_CHECKING:
    from tenderlens.mail import Mailer
    from tenderlens.settings import AccountSettings
    from tenderlens.store import Store

log = logging.getLogger(__name__)

VERIFY = "verify"
RESET = "reset"
MAX_EMAIL_LENGTH = 254


class AccountError(TenderlensError):
    """A journey step that cannot go on, with the field at fault and a message for the user."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class Throttled(AccountError):  # noqa: N818 - it names the state, as users see it
    """Too many failed sign-ins for this email or from this address: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        plural = "s" if minutes != 1 else ""
        super().__init__(
            f"Too many failed attempts to sign in. Try again in {minutes} minute{plural}, "
            "or reset your password.",
            status=429,
        )
        self.retry_after = retry_after


def email_problem(email: str) -> str | None:
    address = email.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address or len(address) > MAX_EMAIL_LENGTH:
        return "Enter an email address like name@example.org"
    return None


@dataclass(frozen=True, slots=True)
class SignUp:
    user: User
    email_sent: bool


def sign_up(
    store: Store, settings: AccountSettings, mailer: Mailer, *, email: str, password: str, now: datetime
) -> SignUp:
    """A new account, and its verification email (``email_sent`` False if the server failed)."""
    if problem := email_problem(email):
        raise AccountError(problem, "email")
    if problem := password_problem(password, email, settings.password_min_length):
        raise AccountError(problem, "password")
    try:
        user = users.create_user(store, email, hash_password(password), now)
    except users.EmailTaken:
        raise AccountError(
            "An account with this email already exists: sign in, or reset your password", "email"
        ) from None
    return SignUp(user, send_verification(store, settings, mailer, user, now))


def send_verification(
    store: Store, settings: AccountSettings, mailer: Mailer, user: User, now: datetime
) -> bool:
    """Email a confirmation link; False if it could not be sent or too many were asked for."""
    if not _email_allowed(store, settings, f"verify:{user.email}", now):
        return False
    token = users.issue_email_token(store, user.id, VERIFY, now, timedelta(hours=settings.verify_token_hours))
    link = mailer.link(f"/account/verify?token={token}")
    text = (
        "Welcome to tenderlens.\n\n"
        f"Confirm your email address by opening this link:\n\n{link}\n\n"
        f"The link works once, for {settings.verify_token_hours} hours. "
        "If you did not sign up, ignore this email.\n"
    )
    return _send(mailer, user.email, "Confirm your email address for tenderlens", text)


def verify(store: Store, token: str, now: datetime) -> User:
    user_id = users.use_email_token(store, token, VERIFY, now)
    if user_id is None:
        raise AccountError(
            "This confirmation link has expired or has been used. Sign in and ask for a new one.",
            "token",
            400,
        )
    users.mark_verified(store, user_id, now)
    user = users.get_user(store, user_id)
    assert user is not None
    return user


def _throttle_keys(email: str, client: str) -> tuple[str, str]:
    return f"email:{users.normalise_email(email)}", f"ip:{client}"


def _retry_after(failures: list[str], limit: int, window: timedelta, now: datetime) -> int | None:
    if len(failures) < limit:
        return None
    # Free again when enough of the failures have left the window.
    release = parse_instant(failures[len(failures) - limit]) + window
    return max(1, int((release - now).total_seconds()) + 1)


def sign_in(
    store: Store, settings: AccountSettings, *, email: str, password: str, client: str, now: datetime
) -> User:
    """The user, if the email and password match and neither the email nor the client is throttled.

    An unknown email costs a password verification too, and gets the same message.
    """
    window = timedelta(minutes=settings.login_window_minutes)
    email_key, client_key = _throttle_keys(email, client)
    since = now - window
    waits = [
        _retry_after(
            users.recent_failures(store, email_key, since, success_clears=True),
            settings.login_max_failures,
            window,
            now,
        ),
        _retry_after(
            users.recent_failures(store, client_key, since, success_clears=False),
            settings.login_max_failures_per_client,
            window,
            now,
        ),
    ]
    if any(waits):
        raise Throttled(max(wait for wait in waits if wait))
    found = users.user_with_hash(store, email)
    if found is None:
        burn_time(password)
        ok = False
    else:
        ok = verify_password(found[1], password)
    users.record_login_attempt(store, [email_key, client_key], ok=ok, now=now)
    if not ok or found is None:
        raise AccountError("The email or password is not right", "password", 400)
    if found[0].disabled:
        raise AccountError("This account has been disabled. Contact the site's administrator.", "email", 403)
    return found[0]


EMAILS_PER_WINDOW = 3  # reset or confirmation emails to one address per throttling window


def _email_allowed(store: Store, settings: AccountSettings, key: str, now: datetime) -> bool:
    """Whether another account email may go to this address now (so a form cannot flood an inbox)."""
    since = now - timedelta(minutes=settings.login_window_minutes)
    if len(users.recent_failures(store, key, since, success_clears=False)) >= EMAILS_PER_WINDOW:
        log.warning("account email not sent: %s asked for too often", key)
        return False
    users.record_login_attempt(store, [key], ok=False, now=now)
    return True


def request_reset(
    store: Store, settings: AccountSettings, mailer: Mailer, *, email: str, now: datetime
) -> None:
    """Email a reset link if the account exists; say nothing either way (no account discovery).

    At most :data:`EMAILS_PER_WINDOW` links go to one address per throttling window.
    """
    found = users.user_with_hash(store, email)
    if found is None or found[0].disabled:
        return
    if not _email_allowed(store, settings, f"reset:{found[0].email}", now):
        return
    user = found[0]
    token = users.issue_email_token(store, user.id, RESET, now, timedelta(hours=settings.reset_token_hours))
    link = mailer.link(f"/account/reset/confirm?token={token}")
    hours = settings.reset_token_hours
    text = (
        "Someone asked to reset the password of your tenderlens account.\n\n"
        f"Choose a new password here:\n\n{link}\n\n"
        f"The link works once, for {hours} hour{'s' if hours != 1 else ''}. "
        "If it was not you, ignore this email: your password stays as it is.\n"
    )
    _send(mailer, user.email, "Reset your tenderlens password", text)


def reset_password(
    store: Store, settings: AccountSettings, *, token: str, password: str, now: datetime
) -> User:
    """Set a new password with an emailed token; every session of the account ends."""
    if not token:
        raise AccountError("This reset link is not complete: use the link in the email", "token", 400)
    user_id = users.peek_email_token(store, token, RESET, now)
    if user_id is None:
        raise AccountError("This reset link has expired or has been used. Ask for a new one.", "token", 400)
    user = users.get_user(store, user_id)
    assert user is not None
    if problem := password_problem(password, user.email, settings.password_min_length):
        raise AccountError(problem, "password")
    if users.use_email_token(store, token, RESET, now) != user_id:  # used meanwhile, by another request
        raise AccountError("This reset link has expired or has been used. Ask for a new one.", "token", 400)
    users.set_password(store, user_id, hash_password(password))
    users.mark_verified(store, user_id, now)  # the reset link proved the address
    return user


def _send(mailer: Mailer, to: str, subject: str, text: str) -> bool:
    try:
        mailer.send(to, subject, text)
    except MailError as error:
        log.warning("account email to %s not sent: %s", to, error)
        return False
    return True
