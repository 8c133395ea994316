"""The server-rendered pages: every notice section, search with facets and pages, buyer, home, API."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from tests.web.webdata import CATERING, CLEANING, NURSING, SOFTWARE


class Page(HTMLParser):
    """Collects what accessibility checks need from a page: ids, headings, labels, links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.headings: list[int] = []
        self.labels: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if tag in {"input", "select", "textarea"} and found.get("type") != "hidden":
            self.inputs.append(found)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))


def check_page(html: str) -> Page:
    page = Page(html)
    assert '<html lang="en-GB">' in html
    assert 'href="#main"' in html  # skip link
    assert 'id="main"' in html
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert page.headings.count(1) == 1
    for previous, current in zip(page.headings, page.headings[1:], strict=False):
        assert current <= previous + 1, f"heading level skips from h{previous} to h{current}"
    for field in page.inputs:
        assert field.get("id") in page.labels, f"input without a label: {field}"
    assert "<script" not in html
    return page


def test_home(site) -> None:
    response = site.get("/")
    assert response.status_code == 200
    page = check_page(response.text)
    assert "Catering for care homes" in response.text  # closing within 30 days
    assert "/search?source=fts" in page.links


def test_notice_page_shows_every_section(site) -> None:
    response = site.get(f"/notices/{CLEANING}")
    assert response.status_code == 200
    html = response.text
    check_page(html)
    for heading in (
        "Summary",
        "Timeline",
        "History and what changed",
        "Title and description",
        "Publication and lifecycle",
        "Procurement classification",
        "Common Procurement Vocabulary (CPV)",
        "Values",
        "Dates",
        "Statuses",
        "Contracting authority (buyer)",
        "Locations",
        "Lots (2)",
        "Documents",
        "OCDS data and downloads",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "School cleaning services" in html
    assert "Submission deadline moved from 20 Jun 2026, 12:00 to 27 Jun 2026, 12:00 (7 days later)" in html
    assert "Lot 2 added: Gutter clearing" in html
    assert "Estimated value changed from £100,000 to £120,000 (up 20%)" in html
    assert '27 Jun 2026, 12:00</time> <span class="relative">(in 3 weeks)</span>' in html
    # The buyer's contact is never hidden.
    assert 'href="mailto:procurement@leeds.example"' in html
    assert 'href="tel:01130000000"' in html
    # ITL chain, CPV, buyer link, data downloads.
    assert "Yorkshire and The Humber" in html
    assert "Leeds" in html
    assert "90911200" in html
    assert 'href="/buyers/GB-TEST-1"' in html
    for path in ("compiled.json", "versioned.json", "record.json", "releases.json"):
        assert f'href="/notices/{CLEANING}/{path}"' in html
        assert f'href="/notices/{CLEANING}/{path}?download=true"' in html
    assert f'href="/notices/{CLEANING}/releases/100002-2026.json"' in html
    assert f'href="/notices/{CLEANING}.ics"' in html


def test_timeline_is_an_accessible_svg_with_today_marked(site) -> None:
    html = site.get(f"/notices/{NURSING}").text
    svg = html[html.index('<svg class="timeline"') : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="tl-title tl-desc"' in svg
    assert ">Today</text>" in svg
    for lane in ("Notices", "Award", "Contract"):
        assert f">{lane}</text>" in svg
    assert "Contract 1: 1 Apr 2026 to 31 Mar 2027 (1 year)" in svg  # a bar's tooltip
    assert "The timeline as a table" in html


def test_notice_json_twin_has_the_page_data(site) -> None:
    data = site.get(f"/notices/{CLEANING}.json").json()
    assert data["ok"] is True
    assert data["notice"]["title"] == "School cleaning services"
    assert data["notice"]["buyer"]["contact"]["email"] == "procurement@leeds.example"
    assert [c["release_id"] for c in data["changes"]] == ["100001-2026", "100002-2026"]
    assert data["timeline"]["today_text"] == "Today, 4 Jun 2026"
    assert {link["label"] for link in data["data_links"]} >= {
        "Compiled release",
        "Record package",
        "Calendar",
    }
    assert "changes_by_release" not in data


def test_search_page(site) -> None:
    response = site.get("/search", params={"q": "care", "sort": "newest"})
    html = response.text
    page = check_page(html)
    assert "2 notices" in html
    assert html.index("Catering for care homes") < html.index("Nursing agency staff")
    assert 'value="care"' in html
    # Facet links keep the query and toggle one filter; the page stays in the URL.
    assert any(link.startswith("/search?q=care&") and "stage=tender" in link for link in page.links)
    assert any("/search.atom?q=care" in link for link in page.links)


def test_search_facet_selected_and_removable(site) -> None:
    html = site.get("/search", params=[("cpv", "55"), ("q", "")]).text
    assert "1 notice<" in html
    assert 'aria-current="true"' in html
    assert "Active filters" in html
    assert "CPV classification: 55" in html


def test_search_pages(site) -> None:
    html = site.get("/search", params={"per_page": 2, "sort": "newest"}).text
    assert 'aria-label="Pages of results"' in html
    assert "sort=newest&amp;page=2&amp;per_page=2" in html
    second = site.get("/search", params={"per_page": 2, "sort": "newest", "page": 2}).text
    assert 'rel="prev"' in second


def test_search_json_twin(site) -> None:
    data = site.get("/search.json", params={"q": "care -nursing"}).json()
    assert data["ok"] is True
    assert data["total"] == 1
    assert data["results"][0]["ocid"] == CATERING
    assert data["query"]["understood"] == "care -nursing"
    names = [facet["name"] for facet in data["facets"]]
    assert {"stage", "cpv", "source", "value"} <= set(names)


def test_no_results_page(site) -> None:
    html = site.get("/search", params={"q": '"no such words here"'}).text
    assert "No notices match" in html


def test_buyer_page(site) -> None:
    response = site.get("/buyers/GB-TEST-1")
    html = response.text
    check_page(html)
    assert "Leeds City Council" in html
    assert "School cleaning services" in html
    assert "Nursing agency staff" in html
    assert "Next notices expected" in html  # the nursing future notice
    assert "1 Dec 2026" in html
    assert "Contracts ending in the next two years" in html
    assert '<svg class="chart"' in html
    assert "2026 Q1" in html  # the nursing award and publication
    data = site.get("/buyers/GB-TEST-1.json").json()
    assert data["buyer"]["notices"] == 2
    assert [q["label"] for q in data["quarters"]] == ["2026 Q1", "2026 Q2"]
    assert data["quarters"][0]["awarded"] == 5_000_000
    assert {row["ocid"] for row in data["notices"]["results"]} == {CLEANING, NURSING}
    # The buyer's own filter is fixed, not a facet or a removable chip.
    assert "buyer" not in [facet["name"] for facet in data["notices"]["facets"]]


def test_buyer_ids_with_slashes_work(tmp_path) -> None:
    from tests.web.conftest import client_for, load
    from tests.web.webdata import catering_release

    release = catering_release()
    release["parties"][0]["id"] = "GB-SRS-sid4gov.cabinetoffice.gov.uk/abc"
    release["buyer"]["id"] = "GB-SRS-sid4gov.cabinetoffice.gov.uk/abc"
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    load(url, tmp_path / "in", [release])
    with client_for(url) as client:
        notice = client.get(f"/notices/{CATERING}").text
        href = "/buyers/" + quote("GB-SRS-sid4gov.cabinetoffice.gov.uk/abc", safe="")
        assert f'href="{href}"' in notice
        assert client.get(href).status_code == 200
        assert client.get(href + ".json").json()["buyer"]["key"] == "GB-SRS-sid4gov.cabinetoffice.gov.uk/abc"


def test_api_page_lists_the_json_routes(site) -> None:
    html = site.get("/api").text
    check_page(html)
    for path in ("/search.json", "/notices/{ocid}.json", "/buyers/{key}.json", "/search.csv", "/search.atom"):
        assert path in html
    schema = site.get("/api/openapi.json").json()
    notice = schema["paths"]["/notices/{ocid}.json"]["get"]["responses"]
    assert notice["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert "Notice" in schema["components"]["schemas"]


@pytest.mark.parametrize("path", ["/", "/search", f"/notices/{SOFTWARE}", "/buyers/GB-TEST-3", "/api"])
def test_security_headers(site, path: str) -> None:
    headers = site.get(path).headers
    assert "script-src" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_static_css(site) -> None:
    response = site.get("/static/style.css")
    assert response.status_code == 200
    assert ":focus-visible" in response.text


def test_the_search_form_with_empty_fields_is_not_an_error(site) -> None:
    """A submitted form sends every field, empty ones included: empty means "not set"."""
    response = site.get(
        "/search?q=care&published_from=&published_to=&closing_within=&sort=newest&stage=tender&sme="
    )
    assert response.status_code == 200
    assert "1 notice<" in response.text
    dated = site.get("/search.json?published_from=2026-05-15&closing_within=10").json()
    assert dated["total"] == 1
    assert dated["request"]["published_from"] == "2026-05-15"
