"""Feeds and files: Atom (feedparser), iCalendar (icalendar), CSV, OCDS JSON Lines, OCDS downloads."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import feedparser
import icalendar
import pytest

from tests.helpers import read_jsonl
from tests.web.webdata import CATERING, CLEANING, NURSING


def test_atom_feed_for_a_search(site) -> None:
    response = site.get("/search.atom", params={"q": "care", "sort": "newest"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "tenderlens: care"
    assert [entry.title for entry in feed.entries] == ["Catering for care homes", "Nursing agency staff"]
    first = feed.entries[0]
    assert first.link == f"http://testserver/notices/{CATERING}"
    assert first.id == first.link
    assert first.author == "Manchester City Council"
    assert "Submission deadline: 10 Jun 2026, 18:00" in first.summary
    assert first.updated_parsed is not None


def test_atom_feed_for_a_buyer(site) -> None:
    feed = feedparser.parse(site.get("/buyers/GB-TEST-1.atom").content)
    assert not feed.bozo
    assert {entry.title for entry in feed.entries} == {"School cleaning services", "Nursing agency staff"}


def test_calendar_of_a_notice(site) -> None:
    response = site.get(f"/notices/{CLEANING}.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    deadline = events["Submission deadline: School cleaning services"]
    assert deadline.decoded("dtstart") == datetime.fromisoformat("2026-06-27T11:00:00+00:00")
    assert str(deadline["uid"]) == f"{CLEANING}/submission-deadline@tenderlens"
    assert f"/notices/{CLEANING}" in str(deadline["url"])


def test_calendar_dates_without_a_time_are_all_day(site) -> None:
    calendar = icalendar.Calendar.from_ical(site.get(f"/notices/{NURSING}.ics").content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    ends = events["Contract ends (Contract 1): Nursing agency staff"]
    assert ends.decoded("dtstart") == date(2027, 3, 31)
    assert ends.decoded("dtend") == date(2027, 4, 1)
    assert "Next notice expected: Nursing agency staff" in events


def test_calendar_of_a_search(site) -> None:
    calendar = icalendar.Calendar.from_ical(site.get("/search.ics", params={"stage": "tender"}).content)
    summaries = sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))
    assert summaries == [
        "Submission deadline: Catering for care homes",
        "Submission deadline: School cleaning services",
    ]
    uids = [str(event["uid"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_csv_export(site) -> None:
    response = site.get("/search.csv", params={"sort": "value"})
    assert response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["ocid"] for row in rows][:2] == [NURSING, CATERING]
    assert rows[0]["value_amount"] == "5000000.0"
    assert rows[0]["buyer"] == "Leeds City Council"
    assert rows[0]["url"] == f"http://testserver/notices/{NURSING}"


def test_jsonl_export_is_ocds_compiled_releases_in_search_order(site) -> None:
    response = site.get("/search.jsonl", params={"q": "care", "sort": "newest"})
    releases = read_jsonl(response.text)
    assert [release["ocid"] for release in releases] == [CATERING, NURSING]
    assert all(release["tag"] == ["compiled"] for release in releases)


def test_ocds_downloads(site) -> None:
    compiled = site.get(f"/notices/{CLEANING}/compiled.json")
    assert compiled.headers["content-disposition"].startswith("inline")
    assert compiled.json()["tender"]["value"]["amount"] == 120000
    saved = site.get(f"/notices/{CLEANING}/compiled.json", params={"download": "true"})
    assert saved.headers["content-disposition"] == f'attachment; filename="{CLEANING}-compiled.json"'
    versioned = site.get(f"/notices/{CLEANING}/versioned.json").json()
    assert [v["value"] for v in versioned["tender"]["value"]["amount"]] == [100000, 120000]
    package = site.get(f"/notices/{CLEANING}/record.json").json()
    assert package["version"] == "1.1"
    (record,) = package["records"]
    assert record["ocid"] == CLEANING
    assert [r["id"] for r in record["releases"]] == ["100001-2026", "100002-2026"]
    assert record["compiledRelease"] == compiled.json()
    assert record["versionedRelease"] == versioned
    releases = site.get(f"/notices/{CLEANING}/releases.json").json()
    assert [r["id"] for r in releases["releases"]] == ["100001-2026", "100002-2026"]
    one = site.get(f"/notices/{CLEANING}/releases/100002-2026.json").json()
    assert one["tag"] == ["tenderAmendment"]


@pytest.mark.shared
@pytest.mark.parametrize(
    ("path", "schema_name"),
    [("record.json", "record-package-schema.json"), ("releases.json", "release-package-schema.json")],
)
def test_downloaded_packages_validate(site, shared_data, path: str, schema_name: str) -> None:
    import jsonschema
    from referencing import Registry, Resource

    schemas = shared_data / "ocds-schema" / "1.1"
    base = "https://standard.open-contracting.org/schema/1__1__5/"
    registry = Registry().with_resources(
        (base + name, Resource.from_contents(json.loads((schemas / name).read_text())))
        for name in ("release-schema.json", "versioned-release-validation-schema.json")
    )
    schema = json.loads((schemas / schema_name).read_text())
    document = site.get(f"/notices/{CLEANING}/{path}").json()
    errors = [
        error.message for error in jsonschema.Draft4Validator(schema, registry=registry).iter_errors(document)
    ]
    assert errors == []
