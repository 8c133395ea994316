from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert

from tenderlens.accounts import store as accounts_store
from tenderlens.accounts.model import instant
from tenderlens.accounts.tables import profiles, saved_searches
from tenderlens.accounts.users import create_user, mark_verified
from tests.accounts.mailbox import Mailbox, start_mailbox

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tenderlens.store import Store


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 (a free port), started for the test."""
    box, controller = start_mailbox()
    try:
        yield box
    finally:
        controller.stop()


def verified_user(store: Store, email: str) -> int:
    now = datetime.now(UTC)
    user = create_user(store, email, "not-a-real-hash", now)
    mark_verified(store, user.id, now)
    return user.id


def add_profile(store: Store, user_id: int, **values: Any) -> None:
    row = {
        "description": "",
        "cpv_codes": [],
        "keywords": [],
        "exclusions": [],
        "regions": [],
        "sme": False,
        "vcse": False,
        **values,
    }
    with store.writing() as conn:
        conn.execute(insert(profiles).values(user_id=user_id, updated_at=instant(datetime.now(UTC)), **row))


def save_search(
    store: Store, user_id: int, name: str, query: str, frequency: str = "instant"
) -> dict[str, Any]:
    """A saved search as the account pages store it; returns its tokens."""
    tokens = {"feed_token": f"feed-{user_id}-{name}", "unsubscribe_token": f"unsub-{user_id}-{name}"}
    with store.writing() as conn:
        search_id = conn.execute(
            insert(saved_searches)
            .values(
                user_id=user_id,
                name=name,
                query=query,
                frequency=frequency,
                created_at=instant(datetime.now(UTC)),
                **tokens,
            )
            .returning(saved_searches.c.id)
        ).scalar_one()
    return {"id": search_id, **tokens}


def watch(store: Store, user_id: int, ocid: str, stage: str = "interested") -> None:
    """Watch a notice as the notice page's form does (its alert facts recorded at once)."""
    assert accounts_store.watch(store, user_id, ocid, datetime.now(UTC), stage)
