"""One alert cycle over a real store, delivering to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from tenderlens.accounts.tables import alert_deliveries, saved_searches
from tenderlens.accounts.users import create_user
from tenderlens.alerts.cycle import run_cycle
from tenderlens.alerts.settings import AlertSettings
from tenderlens.ingest import ingest
from tests.accounts.mailbox import Mailbox, mailer_for
from tests.alerts.conftest import add_profile, save_search, verified_user, watch
from tests.match.generated import family_releases, release
from tests.web.webdata import write_package

if TYPE_CHECKING:
    from pathlib import Path

    from tenderlens.store import Store


def load(store: Store, folder: Path, releases: list[dict], name: str = "in.json") -> None:
    summary = ingest(store, [write_package(folder, releases, name)])
    assert summary.rejected == 0


def later(seconds: int = 1) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_saved_searches_alert_once_with_explanations(store: Store, tmp_path: Path, mailbox: Mailbox) -> None:
    families = family_releases(per_family=6)
    alice = verified_user(store, "alice@example.org")
    add_profile(store, alice, cpv_codes=["85312320"], keywords=["wellbeing"], regions=["TLC"])
    bob = verified_user(store, "bob@example.org")
    unverified = create_user(store, "carol@example.org", "not-a-real-hash", datetime.now(UTC)).id
    counselling = save_search(store, alice, "Counselling", "cpv=853")
    save_search(store, bob, "Catering", "q=catering OR meals")
    save_search(store, unverified, "Everything", "")
    save_search(store, alice, "Never", "", frequency="never")
    load(store, tmp_path, [r for found in families.values() for r in found])
    mailer = mailer_for(mailbox)

    summary = run_cycle(store, mailer, later())
    assert summary.failures == []
    assert (summary.search_emails, summary.notices_alerted) == (2, 12)
    mailbox.wait(2)
    assert sorted(m["To"] for m in mailbox.messages) == ["alice@example.org", "bob@example.org"]
    (message,) = mailbox.to("alice@example.org")
    text = mailbox.text(message)
    assert message["Subject"] == "6 new notices for “Counselling”"
    for notice in families["counselling"]:
        assert f"http://tenderlens.test/notices/{notice['ocid']}" in text
    assert not any(notice["ocid"] in text for notice in families["catering"])
    assert "CPV 85312320 Counselling services matches your profile" in text
    assert f"http://tenderlens.test/feeds/searches/{counselling['feed_token']}.atom" in text
    unsubscribe = f"http://tenderlens.test/alerts/unsubscribe/{counselling['unsubscribe_token']}"
    assert f"Stop these alerts: {unsubscribe}" in text
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (bobs,) = mailbox.to("bob@example.org")
    assert "matches your profile" not in mailbox.text(bobs)  # Bob has no profile: no explanations

    # The same cycle again sends nothing; a new matching notice is alerted alone.
    assert run_cycle(store, mailer, later(2)).search_emails == 0
    new = release(
        "ocds-gen-new-1",
        title="Counselling for carers",
        cpv=("85312320", "Counselling services"),
        buyer=("GB-9", "New Buyer"),
    )
    load(store, tmp_path, [new], "new.json")
    summary = run_cycle(store, mailer, later(3))
    assert (summary.search_emails, summary.notices_alerted) == (1, 1)
    latest = mailbox.wait(3)[-1]
    assert latest["Subject"] == "1 new notice for “Counselling”"
    assert "Counselling for carers" in mailbox.text(latest)
    with store.engine.connect() as conn:
        keys = (
            conn.execute(select(alert_deliveries.c.key).where(alert_deliveries.c.user_id == alice))
            .scalars()
            .all()
        )
        row = conn.execute(select(saved_searches).where(saved_searches.c.id == counselling["id"])).one()
    assert len(keys) == len(set(keys)) == 7
    assert row.last_alert_watermark is not None


def test_digests_gather_a_users_searches_into_one_email(
    store: Store, tmp_path: Path, mailbox: Mailbox
) -> None:
    families = family_releases(per_family=3)
    dana = verified_user(store, "dana@example.org")
    save_search(store, dana, "Cleaning", "cpv=909", frequency="daily")
    save_search(store, dana, "Catering", "cpv=555", frequency="daily")
    save_search(store, dana, "Weekly counselling", "cpv=853", frequency="weekly")
    load(store, tmp_path, [r for found in families.values() for r in found])
    mailer = mailer_for(mailbox)
    summary = run_cycle(store, mailer, later())
    assert summary.search_emails == 2  # one daily digest, one weekly
    subjects = sorted(message["Subject"] for message in mailbox.wait(2))
    assert subjects == [
        "Your daily tenderlens digest",
        "Your weekly tenderlens digest: 3 new notices for “Weekly counselling”",
    ]
    daily = next(m for m in mailbox.messages if m["Subject"] == "Your daily tenderlens digest")
    assert "Cleaning" in mailbox.text(daily)
    assert "Catering" in mailbox.text(daily)
    assert len(daily["List-Unsubscribe"].split(",")) == 2
    # A new notice an hour later waits for tomorrow's digest.
    load(
        store,
        tmp_path,
        [
            release(
                "ocds-gen-late", title="Window cleaning", cpv=("90911200", "Cleaning"), buyer=("GB-1", "X")
            )
        ],
        "late.json",
    )
    assert run_cycle(store, mailer, later(3600)).search_emails == 0
    assert run_cycle(store, mailer, later(86400)).search_emails == 1
    assert "Window cleaning" in mailbox.text(mailbox.wait(3)[-1])


def test_a_failed_send_is_retried_next_cycle(store: Store, tmp_path: Path, mailbox: Mailbox) -> None:
    erin = verified_user(store, "erin@example.org")
    save_search(store, erin, "Cleaning", "cpv=909")
    load(store, tmp_path, family_releases(per_family=2)["cleaning"])
    closed = Mailbox(port=1)  # nothing listens on port 1
    summary = run_cycle(store, mailer_for(closed), later())
    assert summary.search_emails == 0
    assert len(summary.failures) == 1
    summary = run_cycle(store, mailer_for(mailbox), later(2))
    assert (summary.search_emails, summary.notices_alerted) == (1, 2)


def test_watched_notices_alert_on_changes_and_remind_before_deadlines(
    store: Store, tmp_path: Path, mailbox: Mailbox
) -> None:
    now = datetime.now(UTC)
    deadline = (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ocid = "ocds-gen-watch-1"
    first = release(
        ocid,
        title="Office cleaning",
        cpv=("90919200", "Office cleaning services"),
        buyer=("GB-1", "Council"),
        deadline=deadline,
        date="2026-05-01T09:00:00Z",
    )
    load(store, tmp_path, [first])
    frank = verified_user(store, "frank@example.org")
    watch(store, frank, ocid)
    mailer = mailer_for(mailbox)
    settings = AlertSettings(reminder_days=(7, 1))

    summary = run_cycle(store, mailer, later(), settings=settings)
    assert (summary.watch_emails, summary.reminders, summary.changes) == (1, 1, 0)
    message = mailbox.wait(1)[-1]
    assert message["Subject"] == "Watched notice: Office cleaning"
    assert "Reminder: Submission deadline" in mailbox.text(message)
    assert "(in 2 days)" in mailbox.text(message) or "(in 3 days)" in mailbox.text(message)
    assert run_cycle(store, mailer, later(2), settings=settings).watch_emails == 0

    moved = (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    amendment = release(
        ocid,
        title="Office cleaning",
        cpv=("90919200", "Office cleaning services"),
        buyer=("GB-1", "Council"),
        deadline=moved,
        date="2026-05-10T09:00:00Z",
        release_id=f"{ocid}-2",
        tag="tenderAmendment",
        documents=("notice", "clarifications"),
    )
    load(store, tmp_path, [amendment], "amendment.json")
    summary = run_cycle(store, mailer, later(3), settings=settings)
    assert (summary.watch_emails, summary.changes, summary.reminders) == (1, 2, 0)
    text = mailbox.text(mailbox.wait(2)[-1])
    assert "Submission deadline moved from" in text
    assert "New document: clarifications" in text
    assert run_cycle(store, mailer, later(4), settings=settings).watch_emails == 0

    awarded = dict(amendment, id=f"{ocid}-3", date="2026-06-10T09:00:00Z", tag=["award"])
    awarded["awards"] = [{"id": "A1", "status": "active", "suppliers": [{"name": "Sparkle Ltd"}]}]
    load(store, tmp_path, [awarded], "award.json")
    assert run_cycle(store, mailer, later(5), settings=settings).watch_emails == 1
    assert "Award published: Sparkle Ltd (active)" in mailbox.text(mailbox.wait(3)[-1])


def test_no_reminder_once_the_bid_is_in(store: Store, tmp_path: Path, mailbox: Mailbox) -> None:
    deadline = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    load(
        store,
        tmp_path,
        [
            release(
                "ocds-gen-done", title="Done", cpv=("90919200", "X"), buyer=("GB-1", "C"), deadline=deadline
            )
        ],
    )
    gina = verified_user(store, "gina@example.org")
    watch(store, gina, "ocds-gen-done", stage="submitted")
    assert run_cycle(store, mailer_for(mailbox), later()).watch_emails == 0


def test_a_change_between_watching_and_the_first_cycle_is_alerted(
    store: Store, tmp_path: Path, mailbox: Mailbox
) -> None:
    from tenderlens.accounts.store import watch as watch_notice

    ocid = "ocds-gen-watch-early"
    far = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
    farther = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    common = {"title": "Grounds care", "cpv": ("77314000", "Grounds maintenance"), "buyer": ("GB-1", "C")}
    load(store, tmp_path, [release(ocid, deadline=far, date="2026-05-01T09:00:00Z", **common)])
    hana = verified_user(store, "hana@example.org")
    assert watch_notice(store, hana, ocid, datetime.now(UTC))
    moved = release(
        ocid,
        deadline=farther,
        date="2026-05-02T09:00:00Z",
        release_id=f"{ocid}-2",
        tag="tenderAmendment",
        **common,
    )
    load(store, tmp_path, [moved], "moved.json")
    summary = run_cycle(store, mailer_for(mailbox), later(), settings=AlertSettings(reminder_days=(7, 1)))
    assert (summary.watch_emails, summary.changes) == (1, 1)
    assert "Submission deadline moved from" in mailbox.text(mailbox.wait(1)[-1])
