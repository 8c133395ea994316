"""Search against an obviously correct oracle: Python filtering over the documents written.

A few hundred seeded documents go through ``write_documents``; every request's total, hits
(for the newest-first sort) and disjunctive facet counts must equal what plain Python works out
from the same documents — by the in-memory facet columns and by the SQL-only path, on each
backend. Then the documents change (rewritten, added, deleted, the change log pruned) and the
searches must follow, in this engine and in a second one (another process's view).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, text

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.search.document import SearchDocument, SearchText
from tenderlens.search.index import write_documents
from tenderlens.search.request import VALUE_BANDS, SearchRequest
from tenderlens.search.run import run_search
from tenderlens.search.tables import search_index
# isort: on

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine

NOW = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
# Words that are their own stem for both FTS5's porter and PostgreSQL's Snowball stemmer.
WORDS = ("gutter", "window", "school", "roof", "bridge", "library", "fleet", "kitchen")
CPV = ("90911200", "90911300", "90910000", "45261000", "45233140", "72000000", "72212000", "85120000")
REGIONS = ("TLC11", "TLC12", "TLC2", "TLI32", "TLI41", "TLK", "TLM75")
TYPES = (("UK4", "Tender notice"), ("UK6", "Contract award notice"), (None, None))
STAGES = ("planning", "tender", "award", None)
STATUSES = (("active", "Open for bids"), ("complete", "Complete"), (None, None))
SOURCES = ("fts", "contracts-finder", "other")
BUYERS = (*((f"GB-B-{i}", f"Buyer {i % 5}") for i in range(9)), (None, None))
AMOUNTS = (None, 0.0, 5_000.0, 9_999.99, 10_000.0, 99_999.0, 250_000.0, 1_000_000.0, 9.9e6, 10e6, 4e8)


def utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_document(rng: random.Random, number: int) -> SearchDocument:
    notice_type, type_name = rng.choice(TYPES)
    status, status_words = rng.choice(STATUSES)
    buyer_key, buyer_name = rng.choice(BUYERS)
    published = (
        None if rng.random() < 0.1 else NOW - timedelta(days=rng.randrange(900), seconds=rng.randrange(86400))
    )
    deadline = (
        None if rng.random() < 0.3 else NOW + timedelta(days=rng.randrange(-60, 120), hours=rng.randrange(24))
    )
    title_words = rng.sample(WORDS, k=rng.randint(0, 2))
    body_words = rng.sample(WORDS, k=rng.randint(0, 3))
    cpv = rng.sample(CPV, k=rng.randint(0, 3))
    terms = {("cpv", code, f"label {code}") for code in cpv}
    if rng.random() < 0.8:
        terms.add(("buyer_region", rng.choice(REGIONS), None))
    for region in rng.sample(REGIONS, k=rng.randint(0, 2)):
        terms.add(("delivery_region", region, None))
    amount = rng.choice(AMOUNTS)
    return SearchDocument(
        ocid=f"ocds-test-{number:05d}",
        source=rng.choice(SOURCES),
        notice_type=notice_type,
        notice_type_name=type_name,
        stage=rng.choice(STAGES),
        status=status,
        status_words=status_words,
        title=" ".join(title_words) or None,
        excerpt=None,
        buyer_key=buyer_key,
        buyer_name=buyer_name,
        sme=rng.choice((None, True, False)),
        vcse=rng.choice((None, True, False)),
        value_amount=amount,
        value_currency=None if amount is None else "GBP",
        value_text=None,
        published=utc(published),
        updated=utc(published),
        deadline=utc(deadline),
        future_notice=None,
        contract_end=None,
        award_date=None,
        award_value=None,
        published_raw=None,
        deadline_raw=None,
        future_notice_raw=None,
        contract_end_raw=None,
        text=SearchText(" ".join(title_words), " ".join(body_words), "", "", "", f"ocds test {number:05d}"),
        terms=tuple(sorted(terms, key=lambda term: (term[0], term[1]))),
    )


# -- the oracle -----------------------------------------------------------------------------------


def words_of(doc: SearchDocument) -> set[str]:
    body = doc.text
    return set(f"{body.title} {body.description} {body.other}".split())


def band(amount: float | None) -> str:
    if amount is None:
        return "none"
    for key, (_, low, high) in VALUE_BANDS.items():
        if key != "none" and (low is None or amount >= low) and (high is None or amount < high):
            return key
    return "none"


def yes_no(value: bool | None) -> str:
    return "none" if value is None else ("yes" if value else "no")


def term_values(doc: SearchDocument, facet: str) -> list[str]:
    return [value for name, value, _ in doc.terms if name == facet]


def deadline_within(doc: SearchDocument, days: int) -> bool:
    if doc.deadline is None:
        return False
    moment = datetime.strptime(doc.deadline, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return NOW.replace(microsecond=0) <= moment <= NOW + timedelta(days=days)


def single_values(doc: SearchDocument) -> dict[str, str]:
    return {
        "notice_type": doc.notice_type or "none",
        "stage": doc.stage or "none",
        "status": doc.status or "none",
        "buyer": doc.buyer_key or "none",
        "source": doc.source,
    }


def text_matches(doc: SearchDocument, q: str) -> bool:
    """The test queries' syntax: words (all), ``a OR b``, ``-word``."""
    found = words_of(doc)
    parts = q.split()
    positive: list[set[str]] = []
    joining = False
    for part in parts:
        if part == "OR":
            joining = True
        elif part.startswith("-"):
            if part[1:] in found:
                return False
        elif joining:
            positive[-1].add(part)
            joining = False
        else:
            positive.append({part})
    return all(group & found for group in positive)


def passes(doc: SearchDocument, request: SearchRequest, skip: str | None = None) -> bool:
    """Every filter of the request but ``skip`` (the disjunctive facet rule)."""
    if request.q and not text_matches(doc, request.q):
        return False
    singles = single_values(doc)
    for name, value in singles.items():
        chosen = getattr(request, name)
        if chosen and name != skip and value not in chosen:
            return False
    for facet in ("cpv", "buyer_region", "delivery_region"):
        chosen = getattr(request, facet)
        if (
            chosen
            and facet != skip
            and not any(v.startswith(p) for v in term_values(doc, facet) for p in chosen)
        ):
            return False
    for name in ("sme", "vcse"):
        chosen = getattr(request, name)
        if chosen is not None and name != skip and yes_no(getattr(doc, name)) != chosen:
            return False
    if request.value and skip != "value" and band(doc.value_amount) not in request.value:
        return False
    if request.published_from and (
        doc.published is None or doc.published < f"{request.published_from}T00:00:00Z"
    ):
        return False  # the tests' dates are in winter, when UK midnight is UTC midnight
    if request.published_to and (
        doc.published is None or doc.published >= f"{request.published_to + timedelta(days=1)}T00:00:00Z"
    ):
        return False
    return not (
        request.closing_within is not None
        and skip != "closing_within"
        and not deadline_within(doc, request.closing_within)
    )


def oracle_facets(docs: list[SearchDocument], request: SearchRequest) -> dict[str, dict[str, int]]:
    """facet → value → count (values with a count only; CPV and regions at their top level)."""
    out: dict[str, dict[str, int]] = {}

    def add(facet: str, value: str) -> None:
        out.setdefault(facet, {})
        out[facet][value] = out[facet].get(value, 0) + 1

    for doc in docs:
        for name, value in single_values(doc).items():
            if passes(doc, request, skip=name) and not (name == "buyer" and value == "none"):
                add(name, value)
        for facet, size in (("cpv", 2), ("buyer_region", 3), ("delivery_region", 3)):
            if passes(doc, request, skip=facet):
                for prefix in {value[:size] for value in term_values(doc, facet) if len(value) >= size}:
                    add(facet, prefix)
        for name in ("sme", "vcse"):
            if passes(doc, request, skip=name) and getattr(doc, name) is not None:
                add(name, yes_no(getattr(doc, name)))
        if passes(doc, request, skip="value"):
            add("value", band(doc.value_amount))
        if passes(doc, request, skip="closing_within"):
            for days in (7, 14, 30, 90):
                if deadline_within(doc, days):
                    add("closing_within", str(days))
    return out


def newest_ocids(docs: list[SearchDocument], request: SearchRequest) -> list[str]:
    found = [doc for doc in docs if passes(doc, request)]
    dated = sorted((doc for doc in found if doc.published), key=lambda doc: (doc.published or "", doc.ocid))
    dated.sort(key=lambda doc: doc.published or "", reverse=True)  # stable: ocid ascending within a date
    ordered = dated + sorted((doc for doc in found if not doc.published), key=lambda doc: doc.ocid)
    start = (request.page - 1) * request.per_page
    return [doc.ocid for doc in ordered[start : start + request.per_page]]


def shown_facets(result: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for facet in result.facets:
        counts = {value.value: value.count for value in facet.values if value.level == 1 and value.count}
        if counts:
            out[facet.name] = counts
    return out


REQUESTS = [
    SearchRequest(sort="newest"),
    SearchRequest(q="gutter", sort="newest"),
    SearchRequest(q="window school", sort="newest"),
    SearchRequest(q="roof OR bridge", sort="newest", page=2, per_page=7),
    SearchRequest(q="-kitchen", sort="newest"),
    SearchRequest(q="library -fleet", stage=("tender", "none"), sort="newest"),
    SearchRequest(cpv=("90",), buyer_region=("TLC", "TLI4"), sort="newest"),
    SearchRequest(cpv=("9091", "72"), sme="yes", sort="newest"),
    SearchRequest(notice_type=("UK4", "none"), status=("active",), vcse="no", sort="newest"),
    SearchRequest(buyer=("GB-B-3", "GB-B-4"), source=("fts",), sort="newest"),
    SearchRequest(value=("under-10k", "10m-plus", "none"), delivery_region=("TLC1",), sort="newest"),
    SearchRequest(closing_within=30, sort="newest"),
    SearchRequest(q="gutter OR window", closing_within=90, value=("100k-1m",), sort="newest"),
    SearchRequest(published_from=date(2025, 1, 1), published_to=date(2026, 2, 28), sort="newest"),
    SearchRequest(stage=("award",), sort="newest", page=3, per_page=5),
]


def check(engine: Engine, docs: list[SearchDocument], *, in_memory: bool = True) -> None:
    for request in REQUESTS:
        result = run_search(engine, request, NOW, in_memory=in_memory)
        assert result.total == sum(passes(doc, request) for doc in docs), request
        assert [hit.ocid for hit in result.hits] == newest_ocids(docs, request), request
        assert shown_facets(result) == oracle_facets(docs, request), request


def check_fresh(url: str, docs: list[SearchDocument]) -> None:
    """As a process that has just started sees it (its own engine, columns loaded anew)."""
    with Store.open(url) as store:
        check(store.engine, docs)


def write(url: str, docs: list[SearchDocument]) -> None:
    with Store.open(url) as store, store.engine.begin() as conn:
        write_documents(conn, docs)


@pytest.mark.parametrize("in_memory", [True, False], ids=["columns", "sql"])
def test_search_agrees_with_the_oracle(
    reader: Engine, corpus: list[SearchDocument], *, in_memory: bool
) -> None:
    check(reader, corpus, in_memory=in_memory)


def test_the_oracle_sees_what_it_is_asked(corpus: list[SearchDocument]) -> None:
    """The oracle itself is not vacuous: each request matches some documents but not all."""
    for request in REQUESTS[1:]:
        assert 0 < sum(passes(doc, request) for doc in corpus) < len(corpus), request


def rewritten(docs: list[SearchDocument], rng: random.Random) -> list[SearchDocument]:
    out = []
    for doc in docs:
        other = make_document(rng, 0)
        out.append(replace(other, ocid=doc.ocid))
    return out


def writes_then_deletes(store_url: str, corpus: list[SearchDocument]) -> Iterator[list[SearchDocument]]:
    """The store's documents after each step: 40 rewritten and 30 added, then 20 deleted."""
    rng = random.Random(11)
    docs = {doc.ocid: doc for doc in corpus}
    changed = rewritten(corpus[:40], rng) + [make_document(rng, number) for number in range(300, 330)]
    write(store_url, changed)
    docs.update({doc.ocid: doc for doc in changed})
    yield list(docs.values())
    gone = [doc.ocid for doc in corpus[40:60]]
    with Store.open(store_url) as store, store.engine.begin() as conn:
        conn.execute(delete(search_index).where(search_index.c.ocid.in_(gone)))
    for ocid in gone:
        del docs[ocid]
    yield list(docs.values())


def test_columns_follow_every_write(store_url: str, reader: Engine, corpus: list[SearchDocument]) -> None:
    check(reader, corpus)  # the columns are loaded now
    for docs in writes_then_deletes(store_url, corpus):
        check(reader, docs)
        check_fresh(store_url, docs)


def test_a_pruned_log_reloads(store_url: str, reader: Engine, corpus: list[SearchDocument]) -> None:
    check(reader, corpus)
    changed = rewritten(corpus[100:130], random.Random(12))
    write(store_url, changed)
    write(store_url, changed[:1])  # one more entry after the ones about to be pruned
    with Store.open(store_url) as store, store.engine.begin() as conn:
        conn.execute(text("DELETE FROM search_changes WHERE seq < (SELECT max(seq) FROM search_changes)"))
    docs = {doc.ocid: doc for doc in corpus} | {doc.ocid: doc for doc in changed}
    check(reader, list(docs.values()))


def test_a_failed_write_leaves_no_trace(store_url: str, reader: Engine, corpus: list[SearchDocument]) -> None:
    check(reader, corpus)
    changed = rewritten(corpus[:50], random.Random(13))

    def fail_after_writing() -> None:
        with Store.open(store_url) as store, store.engine.begin() as conn:
            write_documents(conn, changed)
            msg = "the compile transaction fails after writing the index"
            raise RuntimeError(msg)

    with pytest.raises(RuntimeError):
        fail_after_writing()
    check(reader, corpus)
    check_fresh(store_url, corpus)


RANKED = [
    SearchRequest(q="gutter", per_page=100),
    SearchRequest(q="window OR roof", cpv=("90",), per_page=100),
    SearchRequest(q="school -kitchen", sme="yes", buyer_region=("TLC",), per_page=100),
    SearchRequest(q="bridge", sort="closing", per_page=100),
    SearchRequest(q="library", value=("none", "100k-1m"), sort="value", per_page=100),
    SearchRequest(stage=("tender",), sort="closing", per_page=100),
]


@pytest.fixture(params=["sql-rank", "text-engine"])
def ranker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Relevance order from the SQL ranking (no text engine) or from the tantivy text engine."""
    if request.param == "sql-rank":
        monkeypatch.setattr("tenderlens.search.run.text_engine_for", lambda _engine: None)
    return str(request.param)


@pytest.mark.parametrize("request_", RANKED, ids=[f"{r.q or '-'}:{r.sort}" for r in RANKED])
def test_ranked_and_other_sorts_find_the_oracles_set_in_one_order(
    reader: Engine, corpus: list[SearchDocument], request_: SearchRequest, ranker: str
) -> None:
    """Relevance, closing and value: the same matches as the oracle, in the same order both ways.

    The text engine ranks by its own scores, so by relevance it must find the same set and
    put the best title matches first, not reproduce bm25's order.
    """
    expected = {doc.ocid for doc in corpus if passes(doc, request_)}
    assert 0 < len(expected) <= 100
    in_memory = run_search(reader, request_, NOW)
    in_sql = run_search(reader, request_, NOW, in_memory=False)
    assert {hit.ocid for hit in in_memory.hits} == expected
    if ranker == "sql-rank" or request_.sort != "relevance" or not request_.q:
        assert in_memory.hits == in_sql.hits
        return
    assert len(in_memory.hits) == len(in_sql.hits)
    words = [word for word in request_.q.split() if word.isalpha() and word != "OR"]
    in_title = [any(word in (hit.title or "").split() for word in words) for hit in in_memory.hits]
    assert in_title == sorted(in_title, reverse=True)  # title matches (boost 10) come first


@pytest.mark.parametrize("max_ties", [3, 5_000], ids=["name-order-cache", "sorted-ties"])
def test_the_top_buyers_are_the_oracles(
    store_url: str, reader: Engine, max_ties: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many buyers with equal counts: the 15 shown (by count, name, key) and the chosen ones."""
    monkeypatch.setattr("tenderlens.search.counts.MAX_TIES_SORTED", max_ties)
    rng = random.Random(21)
    docs = []
    for number in range(240):
        doc = make_document(rng, number)
        key = rng.randrange(90)
        docs.append(replace(doc, buyer_key=f"GB-K-{key:03d}", buyer_name=f"Buyer {key % 7}"))
    write(store_url, docs)
    for request in (
        SearchRequest(),
        SearchRequest(q="gutter"),
        SearchRequest(buyer=("GB-K-089", "GB-K-001"), stage=("tender",)),
    ):
        result = run_search(reader, request, NOW)
        shown = next(facet for facet in result.facets if facet.name == "buyer")
        counted: dict[tuple[str, str], int] = {}
        for doc in docs:
            if passes(doc, request, skip="buyer") and doc.buyer_key and doc.buyer_name:
                counted[doc.buyer_key, doc.buyer_name] = counted.get((doc.buyer_key, doc.buyer_name), 0) + 1
        ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
        expected = [key for (key, _), _ in ordered[:15]]
        expected += [key for (key, _), _ in ordered[15:] if key in request.buyer]
        expected += [key for key in request.buyer if key not in expected]  # chosen, none left: listed with 0
        assert [value.value for value in shown.values] == expected, request


@pytest.mark.parametrize("page", [1, 2, 7])
def test_ranked_pages_match_the_sql_order(
    reader: Engine, corpus: list[SearchDocument], page: int, ranker: str
) -> None:
    """Pages of a ranked list longer than what is ranked at once (the spare rows run out).

    With the text engine: each page is that slice of one long ranked list (no row on two pages).
    """
    for q in ("gutter", "window OR roof OR school"):
        request = SearchRequest(q=q, page=page, per_page=5)
        assert sum(passes(doc, request) for doc in corpus) > 60  # more than a page plus the spare
        in_memory = run_search(reader, request, NOW)
        assert len(in_memory.hits) == 5
        if ranker == "sql-rank":
            assert in_memory.hits == run_search(reader, request, NOW, in_memory=False).hits
        else:
            whole = run_search(reader, SearchRequest(q=q, per_page=100), NOW).hits
            assert in_memory.hits == whole[(page - 1) * 5 : page * 5]
