"""One error shape on every route: ``{"ok": false, "error", "errors", "status"}`` for 404, 405, 422, 500, 503."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tenderlens.search.run import SearchTimeoutError, time_limited
from tenderlens.store import Store
from tests.web.conftest import client_for, load
from tests.web.webdata import CLEANING


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str)
    assert body["error"]
    assert isinstance(body["errors"], list)
    assert body["errors"]
    assert all(isinstance(item, dict) and item.get("message") for item in body["errors"])
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/notices/ocds-nope.json",
        "/notices/ocds-nope.ics",
        "/notices/ocds-nope/compiled.json",
        "/notices/ocds-nope/versioned.json",
        "/notices/ocds-nope/record.json",
        "/notices/ocds-nope/releases.json",
        f"/notices/{CLEANING}/releases/no-such-release.json",
        "/notices/%00bad.json",
        "/buyers/no-such-buyer.json",
        "/api/no-such-thing",
        "/static/no-such-file.css",
        "/no-such-page.json",
    ],
)
def test_not_found(site, path: str) -> None:
    assert_error(site.get(path), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/search.json?page=abc",
        "/search.json?page=0",
        "/search.json?per_page=1000",
        "/search.json?cpv=health",
        "/search.json?buyer_region=%3Cscript%3E",
        "/search.json?sort=random",
        "/search.json?sme=maybe",
        "/search.json?value=lots",
        "/search.json?source=ted",
        "/search.json?stage=dreaming",
        "/search.json?published_from=yesterday",
        "/search.json?published_from=2026-05-02&published_to=2026-05-01",
        "/search.json?closing_within=-1",
        "/search.csv?closing_within=soon",
        "/search.jsonl?page=x",
        "/search.atom?sort=x",
        "/search.ics?cpv=1",
        "/buyers/GB-TEST-1.json?page=-4",
        "/index.json?unused=fine&page=abc",
    ],
)
def test_bad_parameters(site, path: str) -> None:
    if path.startswith("/index.json"):
        assert site.get(path).status_code == 200  # parameters a route does not take are ignored
        return
    body = assert_error(site.get(path), 422)
    assert all(item.get("field") for item in body["errors"])


def test_a_422_names_each_bad_field(site) -> None:
    body = assert_error(site.get("/search.json?cpv=x&sort=y&page=0"), 422)
    assert {item["field"] for item in body["errors"]} == {"cpv", "sort", "page"}


def test_method_not_allowed(site) -> None:
    assert_error(site.post("/search.json"), 405)
    assert_error(site.delete(f"/notices/{CLEANING}.json"), 405)


def test_server_error(site, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("tenderlens.web.routes.pages.search_context", broken)
    body = assert_error(site.get("/search.json"), 500)
    assert "secret detail" not in body["error"]
    page = site.get("/search")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "secret detail" not in page.text


def test_search_timeout_is_a_503(site, monkeypatch) -> None:
    def slow(*args, **kwargs):
        raise SearchTimeoutError("too slow")

    monkeypatch.setattr("tenderlens.web.views.search.run_search", slow)
    assert_error(site.get("/search.json?q=x"), 503)
    assert site.get("/search?q=x").status_code == 503


def test_html_pages_get_an_error_page_with_the_same_facts(site) -> None:
    response = site.get("/notices/ocds-nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not Found" in response.text
    assert "ocds-nope" in response.text
    bad = site.get("/search?page=abc")
    assert bad.status_code == 422
    assert "<code>page</code>" in bad.text
    assert site.get("/nothing/here").status_code == 404


def test_json_is_chosen_by_accept_header(site) -> None:
    assert_error(site.get("/notices/ocds-nope", headers={"accept": "application/json"}), 404)


def test_versioned_is_404_for_a_published_compiled_release(tmp_path) -> None:
    record = {
        "uri": "urn:x",
        "version": "1.1",
        "records": [
            {
                "ocid": "ocds-h6vhtk-pub1",
                "compiledRelease": {
                    "ocid": "ocds-h6vhtk-pub1",
                    "id": "1",
                    "date": "2026-01-01T00:00:00Z",
                    "tag": ["compiled"],
                    "tender": {"title": "Published only"},
                },
            }
        ],
    }
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "record.json").write_text(__import__("json").dumps(record))
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    with Store.open(url) as store:
        from tenderlens.ingest import ingest

        ingest(store, [folder / "record.json"])
    with client_for(url) as client:
        assert client.get("/notices/ocds-h6vhtk-pub1/compiled.json").status_code == 200
        assert_error(client.get("/notices/ocds-h6vhtk-pub1/versioned.json"), 404)
        assert client.get("/notices/ocds-h6vhtk-pub1").status_code == 200


def test_time_limit_stops_a_slow_query(store_url: str, tmp_path) -> None:
    load(store_url, tmp_path / "in")
    with Store.open(store_url) as store:
        slow = (
            "SELECT pg_sleep(2)"
            if store.engine.dialect.name == "postgresql"
            else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
            "SELECT count(*) FROM c"
        )
        with store.engine.connect() as conn, pytest.raises(SearchTimeoutError), time_limited(conn, 0.001):
            conn.execute(text(slow))
        # The connection goes back to the pool without the limit.
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
