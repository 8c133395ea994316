"""The alert cycle's pure parts: when digests are due, what changed on a notice, which reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenderlens.alerts import compose
from tenderlens.alerts.due import is_due
from tenderlens.alerts.reminders import Event, due_reminders, events
from tenderlens.alerts.searches import request_from_query
from tenderlens.alerts.settings import AlertSettings
from tenderlens.alerts.watch import changes, watch_state
from tenderlens.exceptions import ConfigurationError
from tenderlens.notice import build_notice
from tenderlens.notice.when import make_when
from tenderlens.reference import default_reference
from tests.match.generated import release

NOW = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("frequency", "last", "due"),
    [
        ("instant", timedelta(minutes=1), True),
        ("daily", None, True),
        ("daily", timedelta(hours=3), False),
        ("daily", timedelta(hours=23, minutes=55), True),
        ("weekly", timedelta(days=6), False),
        ("weekly", timedelta(days=7), True),
        ("never", None, False),
        ("hourly", None, False),
    ],
)
def test_when_a_search_is_due(frequency: str, last: timedelta | None, due: bool) -> None:
    assert is_due(frequency, None if last is None else NOW - last, NOW) is due


def compiled(**changes: object) -> dict:
    data = release("ocds-w-1", title="Cleaning", cpv=("90911200", "Cleaning"), buyer=("GB-1", "Council"))
    data.update(changes)
    return data


def test_a_moved_deadline_a_new_document_an_award_and_a_cancellation_are_changes() -> None:
    before = compiled()
    seen = watch_state(before)
    assert changes(seen, watch_state(before), NOW) == []
    after = compiled()
    after["tender"]["tenderPeriod"]["endDate"] = "2026-07-08T12:00:00Z"
    after["tender"]["documents"].append({"id": "clarifications", "title": "Clarification responses"})
    after["tender"]["title"] = "Cleaning services (reworded)"
    after["awards"] = [{"id": "A1", "status": "active", "suppliers": [{"name": "Sparkle Ltd"}]}]
    found = changes(seen, watch_state(after), NOW)
    assert [(change.kind, change.text) for change in found] == [
        ("deadline", "Submission deadline moved from 1 Jul 2026, 13:00 to 8 Jul 2026, 13:00"),
        ("document", "New document: Clarification responses"),
        ("award", "Award published: Sparkle Ltd (active)"),
    ]
    cancelled = compiled()
    cancelled["tender"]["status"] = "cancelled"
    assert [change.kind for change in changes(seen, watch_state(cancelled), NOW)] == ["cancelled"]
    withdrawn = compiled(awards=[{"id": "A1", "status": "cancelled", "title": "Lot 1"}])
    assert [c.text for c in changes(watch_state(after), watch_state(withdrawn), NOW)][
        -1
    ] == "Award cancelled: Lot 1"


def event(days: float, key: str = "submission-deadline") -> Event:
    when = make_when((NOW + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"), NOW)
    assert when is not None
    return Event(key, "Submission deadline", when)


def test_reminders_use_the_tightest_lead_time_reached() -> None:
    leads = (7, 1)
    assert due_reminders([event(10)], leads, NOW) == []
    assert [r.lead_days for r in due_reminders([event(6)], leads, NOW)] == [7]
    assert [r.lead_days for r in due_reminders([event(0.5)], leads, NOW)] == [1]
    assert due_reminders([event(-1)], leads, NOW) == []
    week, day = due_reminders([event(6)], leads, NOW)[0], due_reminders([event(0.5)], leads, NOW)[0]
    assert week.key != day.key
    assert week.text(NOW).endswith("(in 6 days)")
    assert day.text(NOW).endswith("(in 12 hours)")


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENDERLENS_ALERTS_REMINDER_DAYS", "1, 14,7")
    monkeypatch.setenv("TENDERLENS_ALERTS_EVERY", "5m")
    settings = AlertSettings.load()
    assert settings.reminder_days == (14, 7, 1)
    assert settings.every == 300.0
    monkeypatch.setenv("TENDERLENS_ALERTS_REMINDER_DAYS", "soon")
    with pytest.raises(ConfigurationError):
        AlertSettings.load()


def test_saved_queries_are_read_like_the_search_page() -> None:
    request = request_from_query("q=victim&cpv=85&delivery_region=tlc&closing_within=30&page=4")
    assert request is not None
    assert (request.q, request.cpv, request.delivery_region, request.closing_within, request.page) == (
        "victim",
        ("85",),
        ("TLC",),
        30,
        1,
    )
    assert request_from_query("cpv=not-a-code") is None
    assert request_from_query("published_from=yesterday") is None


def test_a_digest_escapes_the_data_and_lists_every_unsubscribe_link() -> None:
    item = compose.Item(
        "<script>x</script>", "http://t/notices/1", "Council & Co", ("Value: £1",), "Good", ("a <b>",)
    )
    sections = [
        compose.SearchSection(f"Search {i}", f"http://t/s{i}", f"http://t/f{i}", f"http://t/u{i}", (item,))
        for i in (1, 2)
    ]
    email = compose.digest("daily", sections)
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "a &lt;b&gt;" in email.html
    assert "<script>x</script>" in email.text
    assert email.headers["List-Unsubscribe"] == "<http://t/u1>, <http://t/u2>"
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.subject == "Your daily tenderlens digest"


def test_engagement_events_and_the_deadline_are_reminded() -> None:
    data = release(
        "ocds-w-2",
        title="Market engagement",
        cpv=("85312320", "Counselling services"),
        buyer=("GB-1", "OPCC"),
        deadline="2026-06-20T12:00:00Z",
        milestones=(
            {"id": "1", "type": "engagement", "title": "Supplier day", "dueDate": "2026-06-10T10:00:00Z"},
            {"id": "2", "type": "delivery", "title": "Go live", "dueDate": "2026-06-09T10:00:00Z"},
        ),
    )
    found = events(build_notice(data, [], default_reference(), NOW))
    assert [(e.key, e.title) for e in found] == [
        ("submission-deadline", "Submission deadline"),
        ("engagement-0", "Supplier day"),
    ]
    due = due_reminders(found, (7, 1), NOW)
    assert [(r.event.title, r.lead_days) for r in due] == [("Supplier day", 7)]
    assert due[0].text(NOW).startswith("Supplier day: ")
