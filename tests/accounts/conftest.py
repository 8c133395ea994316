from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tenderlens.settings import AccountSettings
from tenderlens.web.auth import AccountsState
from tests.accounts.mailbox import Mailbox, mailer_for, start_mailbox

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 (a free port), started for the test."""
    box, controller = start_mailbox()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def accounts_state(mailbox: Mailbox) -> AccountsState:
    return AccountsState(AccountSettings(base_url="http://tenderlens.test"), mailer_for(mailbox))
