"""Hostile strings inside OCDS data stay text on every page and in every feed: no markup, no script,
no ``javascript:`` link."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

import feedparser
import icalendar
import pytest

from tenderlens.web.rendering import mailto, safe_url, tel
from tests.web.conftest import client_for, load

if TYPE_CHECKING:
    from collections.abc import Iterator

SCRIPT = "<script>alert('t')</script>"
TITLE = f"{SCRIPT} \"quoted\" & 'single' <img src=x onerror=alert(1)>"
NAME = '<b onmouseover="alert(2)">Evil Council</b>'
JS_URLS = [
    "javascript:alert(3)",
    " JaVaScRiPt:alert(4)",
    "\njavascript:alert(5)",
    "data:text/html,<script>alert(6)</script>",
    "vbscript:msgbox(7)",
]
OCID = "ocds-h6vhtk-x\"'<i>"
BUYER_ID = 'GB-EVIL-"><script>'


def hostile_release() -> dict:
    return {
        "ocid": OCID,
        "id": "r1<script>",
        "date": "2026-05-01T10:00:00Z",
        "tag": ["tender"],
        "parties": [
            {
                "id": BUYER_ID,
                "name": NAME,
                "roles": ["buyer"],
                "address": {"streetAddress": SCRIPT, "region": "<UKI>"},
                "contactPoint": {
                    "name": SCRIPT,
                    "email": 'x@example.com"><script>alert(8)</script>',
                    "telephone": "javascript:alert(9)",
                    "url": JS_URLS[0],
                },
                "details": {"url": JS_URLS[1]},
            },
            {"id": "S1", "name": '=HYPERLINK("http://evil")', "roles": ["supplier"]},
        ],
        "buyer": {"id": BUYER_ID, "name": NAME},
        "tender": {
            "id": "<t>",
            "title": '=HYPERLINK("http://evil","x") ' + TITLE,
            "description": f"Line one {SCRIPT}\nLine two <a href='javascript:alert(10)'>click</a>",
            "status": "active<script>",
            "value": {"amount": 1000, "currency": "<GBP>"},
            "tenderPeriod": {"endDate": "2026-06-20T12:00:00Z"},
            "classification": {"scheme": "CPV", "id": "90911200", "description": SCRIPT},
            "lots": [{"id": "<1>", "title": SCRIPT, "description": TITLE}],
            "items": [{"id": "1", "description": SCRIPT, "deliveryAddresses": [{"region": SCRIPT}]}],
            "milestones": [
                {
                    "id": "m",
                    "type": "engagement",
                    "title": SCRIPT,
                    "dueDate": "2026-06-08T00:00:00Z",
                    "description": TITLE,
                }
            ],
            "amendments": [{"id": "a1", "description": SCRIPT, "rationale": TITLE}],
            "documents": [
                {
                    "id": f"d{i}",
                    "title": f"{SCRIPT} doc {i}",
                    "url": url,
                    "documentType": "tenderNotice",
                    "noticeType": "<UK4>",
                }
                for i, url in enumerate(JS_URLS)
            ],
        },
        "awards": [
            {
                "id": "a",
                "title": SCRIPT,
                "status": "pending",
                "suppliers": [{"id": "S1", "name": '=HYPERLINK("http://evil")'}],
            }
        ],
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xss")
    url = f"sqlite:///{folder / 'x.sqlite'}"
    second = hostile_release()
    second["id"] = "r2 \"'>"
    second["date"] = "2026-05-02T10:00:00Z"
    second["tender"] = {
        **second["tender"],
        "title": '=HYPERLINK("http://evil","x") ' + TITLE + " (amended)",
        "value": {"amount": 2000, "currency": "<GBP>"},
    }
    load(url, folder / "in", [hostile_release(), second])
    with client_for(url) as client:
        yield client


class Audit(HTMLParser):
    """Every tag and attribute of a page, to check that none came from the data."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "a",
    "header",
    "div",
    "nav",
    "ul",
    "li",
    "form",
    "label",
    "input",
    "button",
    "main",
    "footer",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "section",
    "span",
    "ol",
    "dl",
    "dt",
    "dd",
    "svg",
    "text",
    "line",
    "g",
    "circle",
    "rect",
    "desc",
    "details",
    "summary",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "time",
    "article",
    "br",
    "strong",
    "aside",
    "figure",
    "figcaption",
    "fieldset",
    "legend",
}


def audit(html: str) -> Audit:
    page = Audit()
    page.feed(html)
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    for tag, name, value in page.attributes:
        assert not name.startswith("on"), (tag, name, value)
        if name in {"href", "src", "action"}:
            scheme = urlsplit(value.strip()).scheme.lower()
            assert scheme in {"", "http", "https", "mailto", "tel"}, (tag, name, value)
            assert "javascript" not in value.lower(), value
    assert "<script" not in html.lower()
    return page


def pages() -> Iterator[str]:
    yield "/"
    yield "/notices/" + quote(OCID, safe="")
    yield "/search?q=" + quote("alert script")
    yield "/search?q=" + quote(TITLE)
    yield "/search?q=" + quote(SCRIPT) + "&buyer=" + quote(BUYER_ID, safe="")
    yield "/buyers/" + quote(BUYER_ID, safe="")
    yield "/notices/" + quote(SCRIPT, safe="")  # a 404 page that echoes the ocid
    yield "/search?cpv=" + quote(SCRIPT)  # a 422 page that echoes the value


@pytest.mark.parametrize("path", list(pages()))
def test_pages_show_hostile_data_as_text(hostile, path: str) -> None:
    response = hostile.get(path)
    assert response.status_code in {200, 404, 422}, path
    audit(response.text)


def test_the_notice_page_shows_the_hostile_strings_escaped(hostile) -> None:
    html = hostile.get("/notices/" + quote(OCID, safe="")).text
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in html
    assert "&lt;b onmouseover=&#34;alert(2)&#34;&gt;Evil Council&lt;/b&gt;" in html
    # The javascript: URLs are shown as text, not as links.
    assert "javascript:alert(3)</code>" in html or "javascript:alert(3)</span>" in html
    assert 'href="javascript' not in html.lower()
    # The e-mail address with markup in it is not a mailto link.
    assert "mailto:x@example.com" not in html
    assert "Estimated value changed" in html  # what changed still works with hostile currencies


def test_json_twins_keep_the_strings_verbatim(hostile) -> None:
    data = hostile.get("/notices/" + quote(OCID, safe="") + ".json").json()
    assert data["notice"]["buyer"]["name"] == NAME
    assert data["notice"]["title"] == '=HYPERLINK("http://evil","x") ' + TITLE + " (amended)"
    search = hostile.get("/search.json", params={"q": "evil"}).json()
    assert search["results"][0]["buyer_name"] == NAME


def test_atom_escapes_and_round_trips(hostile) -> None:
    response = hostile.get("/search.atom")
    assert b"<script" not in response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    (entry,) = feed.entries
    assert entry.title_detail.type == "text/plain"
    assert entry.title == '=HYPERLINK("http://evil","x") ' + TITLE + " (amended)"
    assert entry.author == NAME


def test_calendars_escape_and_round_trip(hostile) -> None:
    for path in ("/search.ics", "/notices/" + quote(OCID, safe="") + ".ics"):
        calendar = icalendar.Calendar.from_ical(hostile.get(path).content)
        summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
        assert any(TITLE in summary for summary in summaries), summaries


def test_csv_cells_are_not_formulas(hostile) -> None:
    rows = list(csv.DictReader(io.StringIO(hostile.get("/search.csv").text)))
    assert rows[0]["title"].startswith("'=HYPERLINK(")


def test_downloads_have_safe_file_names(hostile) -> None:
    response = hostile.get("/notices/" + quote(OCID, safe="") + "/compiled.json", params={"download": "true"})
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="ocds-h6vhtk-x___i_-compiled.json"'
    release = hostile.get(
        "/notices/" + quote(OCID, safe="") + "/releases/" + quote("r1<script>", safe="") + ".json"
    )
    assert release.status_code == 200
    assert release.json()["id"] == "r1<script>"


@pytest.mark.parametrize("url", [*JS_URLS, "//evil.example", "/relative", "http:no-host", "", None, 42])
def test_safe_url_refuses_anything_but_http(url) -> None:
    assert safe_url(url) is None


def test_safe_url_keeps_http_links() -> None:
    assert (
        safe_url("https://www.find-tender.service.gov.uk/Notice/1")
        == "https://www.find-tender.service.gov.uk/Notice/1"
    )
    assert safe_url(" HTTP://example.com/a?b=1 ") == "HTTP://example.com/a?b=1"
    assert mailto("a.b@example.co.uk") == "mailto:a.b@example.co.uk"
    assert mailto('a@b.c"><x') is None
    assert tel("+44 (0)113 000 0000") == "tel:+4401130000000"
    assert tel("javascript:alert(1)") is None
