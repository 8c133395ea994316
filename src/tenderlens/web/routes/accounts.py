"""Signing up, in and out, confirming an email, resetting a password, and the admin's user list.

Every form posts to the page's own address and works without JavaScript; every state
change checks the CSRF token (:data:`~tenderlens.web.auth.CheckCsrf`). A JSON client (an
``Accept: application/json`` header, or an API token) gets data instead of pages and redirects.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tenderlens.accounts import flows, users
from tenderlens.web import auth
from tenderlens.web.auth import (
    AccountsDep,
    CheckCsrf,
    CurrentUser,
    RequireAdmin,
    RequireUser,
)
from tenderlens.web.deps import StateDep  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.errors import WebError, respond
from tenderlens.web.rendering import json_response, render, wants_json

router = APIRouter()

FormText = Annotated[str, Form()]


# -- responses shared by the account routes ---------------------------------------------------


def json_wanted(request: Request) -> bool:
    """Whether to answer with data: a ``.json`` route, ``Accept: application/json``, or an API token."""
    return wants_json(request) or auth.request_auth(request).via == "token"


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """The page, or its context as JSON for a JSON client."""
    if json_wanted(request):
        return json_response({"ok": True, **{k: v for k, v in context.items() if k != "form"}}, status)
    return render(
        template, {"error": None, "field_errors": {}, "form": {}, "message": None, **context}, status
    )


def done(request: Request, location: str, data: dict[str, Any] | None = None, status: int = 200) -> Response:
    """After a form: a 303 to ``location`` for a browser, the outcome as JSON for a JSON client."""
    if json_wanted(request):
        return json_response({"ok": True, **(data or {})}, status)
    return RedirectResponse(location, status_code=303)


def form_error(
    request: Request,
    template: str,
    context: dict[str, Any],
    error: flows.AccountError,
    headers: dict[str, str] | None = None,
) -> Response:
    """The form again with the error beside its field (JSON: the one error shape)."""
    fields = [{"field": error.field, "message": error.message}] if error.field else None
    if json_wanted(request):
        response = respond(request, error.status, error.message, fields)
    else:
        response = render(
            template,
            {
                "message": None,
                "form": {},
                **context,
                "error": error.message,
                "field_errors": {error.field: error.message} if error.field else {},
            },
            error.status,
        )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def safe_next(target: str | None, default: str = "/account") -> str:
    """A local path to go back to after signing in; never another site (``//evil``, ``https:``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return default
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# -- sign up ----------------------------------------------------------------------------------


@router.get("/account/sign-up", response_class=HTMLResponse, include_in_schema=False)
def sign_up_page(request: Request, user: CurrentUser, accounts: AccountsDep) -> Response:
    if user is not None:
        return RedirectResponse("/account", status_code=303)
    return page(request, "account_sign_up.html", _sign_up_context(accounts))


def _sign_up_context(accounts: auth.AccountsState) -> dict[str, Any]:
    return {"page_title": "Create an account", "min_length": accounts.settings.password_min_length}


@router.post("/account/sign-up", tags=["accounts"], dependencies=[CheckCsrf])
def sign_up(
    request: Request, state: StateDep, accounts: AccountsDep, email: FormText = "", password: FormText = ""
) -> Response:
    """Create an account (email and password); a confirmation link is emailed, and you are signed in."""
    now = state.now()
    try:
        created = flows.sign_up(
            state.store, accounts.settings, accounts.mailer, email=email, password=password, now=now
        )
    except flows.AccountError as error:
        context = {**_sign_up_context(accounts), "form": {"email": email}}
        return form_error(request, "account_sign_up.html", context, error)
    session = users.start_session(state.store, created.user.id, now, _session_lifetime(accounts))
    # Say so when the confirmation could not be emailed (no SMTP server reachable, say).
    welcome = "/account?welcome=1" if created.email_sent else "/account?welcome=1&sent=0"
    response = done(request, welcome, {"user": created.user, "email_sent": created.email_sent}, status=201)
    auth.set_session_cookie(response, session, accounts.settings)
    return response


def _session_lifetime(accounts: auth.AccountsState) -> timedelta:
    return timedelta(days=accounts.settings.session_days)


# -- sign in and out --------------------------------------------------------------------------


@router.get("/account/sign-in", response_class=HTMLResponse, include_in_schema=False)
def sign_in_page(
    request: Request, user: CurrentUser, next_: Annotated[str, Query(alias="next")] = ""
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next_), status_code=303)
    return page(request, "account_sign_in.html", {"page_title": "Sign in", "next": safe_next(next_, "")})


@router.post("/account/sign-in", tags=["accounts"], dependencies=[CheckCsrf])
def sign_in(
    request: Request,
    state: StateDep,
    accounts: AccountsDep,
    *,
    email: FormText = "",
    password: FormText = "",
    next_: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Sign in with email and password; sets the session cookie. Throttled: 429 with Retry-After."""
    now = state.now()
    try:
        user = flows.sign_in(
            state.store,
            accounts.settings,
            email=email,
            password=password,
            client=client_address(request),
            now=now,
        )
    except flows.AccountError as error:
        context = {"page_title": "Sign in", "next": safe_next(next_, ""), "form": {"email": email}}
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, flows.Throttled) else None
        return form_error(request, "account_sign_in.html", context, error, headers)
    old = request.cookies.get(auth.SESSION_COOKIE)
    if old:
        users.end_session(state.store, old)
    session = users.start_session(state.store, user.id, now, _session_lifetime(accounts))
    response = done(request, safe_next(next_), {"user": user})
    auth.set_session_cookie(response, session, accounts.settings)
    return response


@router.post("/account/sign-out", tags=["accounts"], dependencies=[CheckCsrf])
def sign_out(request: Request, state: StateDep, accounts: AccountsDep) -> Response:
    """End this session (the cookie stops working at once, also if it was copied)."""
    session = request.cookies.get(auth.SESSION_COOKIE)
    if session:
        users.end_session(state.store, session)
    response = done(request, "/", {"signed_out": True})
    auth.clear_session_cookie(response, accounts.settings)
    return response


# -- email confirmation -----------------------------------------------------------------------


@router.get("/account/verify.json", tags=["accounts"])
@router.get("/account/verify", response_class=HTMLResponse, include_in_schema=False)
def verify(request: Request, state: StateDep, token: str = "") -> Response:
    """Confirm an email address with the emailed link's token (it works once, until it expires)."""
    try:
        user = flows.verify(state.store, token, state.now())
    except flows.AccountError as error:
        return form_error(request, "account_message.html", {"page_title": "Confirm your email"}, error)
    return page(
        request,
        "account_message.html",
        {
            "page_title": "Email confirmed",
            "message": f"Thank you: {user.email} is confirmed. Alerts will be sent to it.",
            "verified": True,
        },
    )


@router.post("/account/verify/resend", tags=["accounts"], dependencies=[CheckCsrf])
def resend_verification(
    request: Request, state: StateDep, accounts: AccountsDep, user: RequireUser
) -> Response:
    """Email a new confirmation link to the signed-in user."""
    if user.verified:
        return done(request, "/account", {"verified": True})
    sent = flows.send_verification(state.store, accounts.settings, accounts.mailer, user, state.now())
    return done(request, "/account?sent=1" if sent else "/account?sent=0", {"email_sent": sent})


# -- password reset ---------------------------------------------------------------------------


@router.get("/account/reset", response_class=HTMLResponse, include_in_schema=False)
def reset_page(request: Request) -> Response:
    return page(request, "account_reset.html", {"page_title": "Reset your password"})


@router.post("/account/reset", tags=["accounts"], dependencies=[CheckCsrf])
def reset(request: Request, state: StateDep, accounts: AccountsDep, email: FormText = "") -> Response:
    """Email a password-reset link, if the email has an account (the answer is the same either way)."""
    if problem := flows.email_problem(email):
        error = flows.AccountError(problem, "email")
        return form_error(request, "account_reset.html", {"page_title": "Reset your password"}, error)
    flows.request_reset(state.store, accounts.settings, accounts.mailer, email=email, now=state.now())
    hours = accounts.settings.reset_token_hours
    message = (
        f"If {email.strip()} has an account, we have sent it a link to choose a new password. "
        f"The link works once, for {hours} hour{'s' if hours != 1 else ''}."
    )
    return page(request, "account_message.html", {"page_title": "Check your email", "message": message}, 202)


@router.get("/account/reset/confirm", response_class=HTMLResponse, include_in_schema=False)
def reset_confirm_page(request: Request, state: StateDep, accounts: AccountsDep, token: str = "") -> Response:
    context = _reset_context(accounts, token)
    if users.peek_email_token(state.store, token, flows.RESET, state.now()) is None:
        error = flows.AccountError(
            "This reset link has expired or has been used. Ask for a new one.", "token", 400
        )
        return form_error(request, "account_reset_confirm.html", context, error)
    return page(request, "account_reset_confirm.html", context)


def _reset_context(accounts: auth.AccountsState, token: str) -> dict[str, Any]:
    return {
        "page_title": "Choose a new password",
        "token": token,
        "min_length": accounts.settings.password_min_length,
    }


@router.post("/account/reset/confirm", tags=["accounts"], dependencies=[CheckCsrf])
def reset_confirm(
    request: Request, state: StateDep, accounts: AccountsDep, token: FormText = "", password: FormText = ""
) -> Response:
    """Set a new password with the emailed token; every session of the account is signed out."""
    try:
        flows.reset_password(state.store, accounts.settings, token=token, password=password, now=state.now())
    except flows.AccountError as error:
        return form_error(request, "account_reset_confirm.html", _reset_context(accounts, token), error)
    response = done(request, "/account/sign-in?reset=1", {"password_changed": True})
    auth.clear_session_cookie(response, accounts.settings)
    return response


# -- admin ------------------------------------------------------------------------------------


def _admin_context(state: StateDep, admin: RequireAdmin) -> dict[str, Any]:
    return {"page_title": "Users", "users": users.list_users(state.store), "me": admin.id}


@router.get("/admin/users.json", tags=["admin"])
@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def admin_users(request: Request, state: StateDep, admin: RequireAdmin) -> Response:
    """Every user (admins only): email, when they joined, confirmed, admin, disabled."""
    return page(request, "admin_users.html", _admin_context(state, admin))


@router.post("/admin/users/{user_id}/disable", tags=["admin"], dependencies=[CheckCsrf])
def admin_disable(request: Request, state: StateDep, admin: RequireAdmin, user_id: int) -> Response:
    """Disable a user (admins only): they are signed out, and their API tokens stop working."""
    return _set_disabled(request, state, admin, user_id, disabled=True)


@router.post("/admin/users/{user_id}/enable", tags=["admin"], dependencies=[CheckCsrf])
def admin_enable(request: Request, state: StateDep, admin: RequireAdmin, user_id: int) -> Response:
    """Enable a disabled user again (admins only)."""
    return _set_disabled(request, state, admin, user_id, disabled=False)


def _set_disabled(
    request: Request, state: StateDep, admin: RequireAdmin, user_id: int, *, disabled: bool
) -> Response:
    if users.get_user(state.store, user_id) is None:
        raise WebError(404, f"Not found: no user {user_id}")
    if user_id == admin.id:
        raise WebError(422, "You cannot disable your own account")
    users.set_disabled(state.store, user_id, state.now(), disabled=disabled)
    return done(request, "/admin/users", {"user": users.get_user(state.store, user_id)})
