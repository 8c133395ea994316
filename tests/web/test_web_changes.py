"""What changed between releases, in words, from the versioned release."""

from __future__ import annotations

from tenderlens.compile import compile_releases
from tenderlens.notice.changes import what_changed
from tests.web.conftest import NOW
from tests.web.webdata import CLEANING, cleaning_releases


def versioned_of(releases: list[dict]) -> dict:
    return compile_releases(releases)[1]


def texts(versioned: dict) -> list[list[str]]:
    return [[change.text for change in release.changes] for release in what_changed(versioned, NOW)]


def test_the_amendment_moves_the_deadline_raises_the_value_adds_a_lot_and_a_document() -> None:
    releases = cleaning_releases()
    found = what_changed(versioned_of(releases), NOW, releases)
    assert [r.release_id for r in found] == ["100001-2026", "100002-2026"]
    assert found[0].first
    assert found[0].changes == ()
    assert found[1].tag_words == ("Tender amendment",)
    sentences = [change.text for change in found[1].changes]
    assert (
        "Submission deadline moved from 20 Jun 2026, 12:00 to 27 Jun 2026, 12:00 (7 days later)" in sentences
    )
    assert "Estimated value changed from £100,000 to £120,000 (up 20%)" in sentences
    assert "Lot 2 added: Gutter clearing" in sentences
    assert "Document added: Clarification responses" in sentences
    kinds = {change.kind for change in found[1].changes}
    assert kinds == {"changed", "added"}
    # Fields of the new lot and document are not listed again one by one.
    assert not any("Lot 2 title" in s for s in sentences)


def test_earlier_deadline_lower_value_status_and_removal() -> None:
    base = {"ocid": "x", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"]}
    first = {
        **base,
        "tender": {
            "status": "active",
            "value": {"amount": 500, "currency": "EUR"},
            "tenderPeriod": {"endDate": "2026-02-10T00:00:00Z"},
            "title": "A",
        },
    }
    second = {
        **base,
        "id": "2",
        "date": "2026-01-05T00:00:00Z",
        "tag": ["tenderUpdate"],
        "tender": {
            "status": "cancelled",
            "value": {"amount": 400, "currency": "EUR"},
            "tenderPeriod": {"endDate": "2026-02-08T00:00:00Z"},
            "title": None,
        },
    }
    changed = texts(versioned_of([first, second]))[1]
    assert "Submission deadline moved from 10 Feb 2026 to 8 Feb 2026 (2 days earlier)" in changed
    assert "Estimated value changed from €500 to €400 (down 20%)" in changed
    assert "Tender status changed from Active to Cancelled" in changed
    assert "Title removed (was A)" in changed


def test_a_field_set_for_the_first_time_later_and_long_text() -> None:
    base = {"ocid": "x", "date": "2026-01-01T00:00:00Z", "tag": ["tender"]}
    first = {**base, "id": "1", "tender": {"description": "short"}}
    second = {
        **base,
        "id": "2",
        "date": "2026-01-02T00:00:00Z",
        "tender": {"description": "long " * 40, "enquiryPeriod": {"endDate": "2026-01-20T12:00:00Z"}},
    }
    found = what_changed(versioned_of([first, second]), NOW)
    by_field = {change.field: change for change in found[1].changes}
    assert by_field["Description"].text == "Description changed"
    assert by_field["Description"].before == "short"
    assert by_field["Clarification deadline"].text == "Clarification deadline set to 20 Jan 2026, 12:00"


def test_a_republished_release_changes_nothing() -> None:
    release = cleaning_releases()[0]
    again = {**release, "id": "100001-2026-again", "date": "2026-05-02T10:00:00+01:00"}
    found = what_changed(versioned_of([release, again]), NOW, [release, again])
    assert [(r.release_id, r.changes) for r in found] == [("100001-2026", ()), ("100001-2026-again", ())]
    assert found[1].date_text == "2 May 2026, 10:00"


def test_award_ids_drop_the_ocid_prefix() -> None:
    base = {"ocid": CLEANING, "date": "2026-01-01T00:00:00Z", "tag": ["award"]}
    award = {"id": f"{CLEANING}-1", "status": "pending", "value": {"amount": 10, "currency": "GBP"}}
    first = {**base, "id": "1", "awards": [award]}
    second = {**base, "id": "2", "date": "2026-01-03T00:00:00Z", "awards": [{**award, "status": "active"}]}
    assert texts(versioned_of([first, second]))[1] == ["Award 1 status changed from Pending to Active"]


def test_odd_input_never_raises() -> None:
    assert what_changed(None, NOW) == ()
    assert what_changed({}, NOW) == ()
    odd = {
        "tender": {
            "title": [
                {"releaseID": "1", "releaseDate": "nonsense", "releaseTag": None, "value": "A"},
                {"releaseID": "2", "releaseDate": None, "releaseTag": "x", "value": {"a": [1, 2]}},
            ]
        },
        "lots": [1, "x", {"id": None}],
    }
    found = what_changed(odd, NOW)
    assert [r.release_id for r in found] == ["1", "2"]
    assert found[1].changes[0].kind == "changed"


def test_releases_the_versioned_release_names_but_the_stored_list_lacks_follow_it_in_date_order() -> None:
    """The stored releases fix the order; any other release the versioned release names comes after,
    by date, with what it changed."""
    base = {"ocid": "x", "tag": ["tender"]}
    first = {**base, "id": "1", "date": "2026-01-01T00:00:00Z", "tender": {"title": "A"}}
    second = {**base, "id": "2", "date": "2026-01-02T00:00:00Z", "tender": {"title": "B"}}
    third = {**base, "id": "3", "date": "2026-01-03T00:00:00Z", "tender": {"title": "C"}}
    versioned = versioned_of([first, second, third])
    found = what_changed(versioned, NOW, [first])
    assert [r.release_id for r in found] == ["1", "2", "3"]
    assert [[c.text for c in r.changes] for r in found] == [
        [],
        ["Title changed from A to B"],
        ["Title changed from B to C"],
    ]
    # Given out of date order, the stored list keeps its order; the rest still follow by date.
    assert [r.release_id for r in what_changed(versioned, NOW, [third, first])] == ["3", "1", "2"]
    # Stored members that are not objects are skipped, never raised on.
    assert [r.release_id for r in what_changed(versioned, NOW, [first, "junk"])] == ["1", "2", "3"]  # type: ignore[list-item]
