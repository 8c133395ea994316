"""Using the account pages as a browser would: read the CSRF token off a page, post its forms."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from tests.accounts.mailbox import Mailbox

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post_form(client: TestClient, page: str, action: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """GET ``page`` for its CSRF token, then POST ``data`` to ``action`` like its form would."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False, **kwargs)


def sign_up(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    response = post_form(
        client, "/account/sign-up", "/account/sign-up", {"email": email, "password": password}
    )
    assert response.status_code == 303, response.text
    return response


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return post_form(client, "/account/sign-in", "/account/sign-in", {"email": email, "password": password})


def verify_from_email(client: TestClient, mailbox: Mailbox, email: str) -> Any:
    mailbox.wait(1)
    [message] = [m for m in mailbox.to(email) if "Confirm" in m["Subject"]][-1:]
    return client.get(mailbox.link(message, "/account/verify"))
