"""One harvest per source at a time, across processes: the store's named lock."""

from __future__ import annotations

import pytest

from tenderlens.exceptions import LockBusy
from tenderlens.harvest.harvester import harvest
from tenderlens.harvest.settings import HarvestSettings
from tenderlens.store import Store


def test_a_second_holder_is_refused_until_the_first_lets_go(store_url: str) -> None:
    first, second = Store.open(store_url), Store.open(store_url)
    try:
        with first.exclusive("harvest fts"):
            with (
                pytest.raises(LockBusy, match="harvest fts is already running"),
                second.exclusive("harvest fts"),
            ):
                pass
            with second.exclusive("harvest contracts-finder"):  # other sources are independent
                pass
        with second.exclusive("harvest fts"):
            pass
    finally:
        first.close()
        second.close()


def test_harvest_does_not_start_while_another_runs_and_records_no_error(store_url: str) -> None:
    holder, store = Store.open(store_url), Store.open(store_url)
    try:
        with holder.exclusive("harvest fts"):
            # The base URL is never contacted: the lock is taken before any request.
            summary = harvest(store, "fts", HarvestSettings.load(), base_url="http://127.0.0.1:9")
        assert summary.error is not None
        assert "one harvest per source at a time" in summary.error
        state = store.harvest_state("fts")
        assert state is None or state.last_error is None
    finally:
        holder.close()
        store.close()
