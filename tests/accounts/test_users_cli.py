"""``tenderlens users add-admin`` and ``users list``: the first administrator is made on the server."""

from __future__ import annotations

from typer.testing import CliRunner

from tenderlens.accounts import users
from tenderlens.accounts.passwords import hash_password, verify_password
from tenderlens.accounts.tables import users as users_table
from tenderlens.cli import app
from tenderlens.store import Store
from tests.web.conftest import NOW

runner = CliRunner()


def test_add_admin_creates_a_confirmed_admin_and_promotes_an_existing_user(store_url: str) -> None:
    made = runner.invoke(
        app,
        ["users", "add-admin", "Boss@Example.org", "--db", store_url, "--password-stdin"],
        input="a long enough pass\n",
    )
    assert made.exit_code == 0, made.output
    assert "Created the administrator boss@example.org" in made.output
    with Store.open(store_url) as store:
        found = users.user_with_hash(store, "boss@example.org")
        assert found is not None
        admin, password_hash = found
        assert admin.is_admin
        assert admin.verified
        assert verify_password(password_hash, "a long enough pass")
        users.create_user(store, "member@example.org", hash_password("another long one"), NOW)
    promoted = runner.invoke(app, ["users", "add-admin", "member@example.org", "--db", store_url])
    assert promoted.exit_code == 0, promoted.output
    assert "member@example.org is now an administrator" in promoted.output
    listed = runner.invoke(app, ["users", "list", "--db", store_url])
    assert "boss@example.org" in listed.output
    assert "member@example.org" in listed.output
    with Store.open(store_url) as store, store.engine.connect() as conn:
        assert all(row.is_admin for row in conn.execute(users_table.select()))


def test_add_admin_refuses_a_short_password_and_a_bad_email(sqlite_url: str) -> None:
    short = runner.invoke(
        app, ["users", "add-admin", "a@example.org", "--db", sqlite_url, "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    bad = runner.invoke(app, ["users", "add-admin", "not-an-email", "--db", sqlite_url])
    assert bad.exit_code == 1
    assert "Enter an email address" in bad.output
