"""``tenderlens users``: the first administrator (and later ones) from the command line, and the user list.

The web app has no way to become an admin; the first one is made here, on the server.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tenderlens.accounts import users
from tenderlens.accounts.flows import email_problem
from tenderlens.accounts.passwords import hash_password, password_problem
from tenderlens.cli_common import DbOption, fail, out
from tenderlens.settings import AccountSettings, Settings
from tenderlens.store import Store

users_app = typer.Typer(help="Accounts: make an administrator, list users.", no_args_is_help=True)


@users_app.command("add-admin")
def add_admin(
    email: Annotated[str, typer.Argument(help="The account's email; it is created if it does not exist.")],
    db: DbOption = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the new account's password from stdin (for scripts)."),
    ] = False,
) -> None:
    """Make EMAIL an administrator; create the account (confirmed) if there is none, asking for a password."""
    if problem := email_problem(email):
        raise fail(problem)
    now = datetime.now(UTC)
    with Store.open(Settings.load(db).database_url) as store:
        if users.user_with_hash(store, email) is None:
            if password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = typer.prompt(
                    "Password for the new account", hide_input=True, confirmation_prompt=True
                )
            if problem := password_problem(password, email, AccountSettings.load().password_min_length):
                raise fail(problem)
            user = users.create_user(store, email, hash_password(password), now, is_admin=True)
            users.mark_verified(store, user.id, now)
            out.print(f"Created the administrator {user.email}.")
            return
        made = users.set_admin(store, email)
        assert made is not None
        out.print(f"{made.email} is now an administrator.")


@users_app.command("list")
def list_users(db: DbOption = None) -> None:
    """Every account: email, joined, confirmed, admin, disabled."""
    with Store.open(Settings.load(db).database_url) as store:
        found = users.list_users(store)
    table = Table("email", "joined", "confirmed", "admin", "disabled")
    for user in found:
        table.add_row(
            user.email,
            user.created_at[:10],
            "yes" if user.verified else "no",
            "yes" if user.is_admin else "",
            (user.disabled_at or "")[:10],
        )
    out.print(
        table
        if found
        else "No accounts yet: sign up at /account/sign-up, or run `tenderlens users add-admin EMAIL`."
    )
