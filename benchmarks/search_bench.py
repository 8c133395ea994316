"""Search latency over a fixed query mix: p50/p95/p99 with and without facet counts, per backend.

Runs ``run_search`` in-process (as a web worker does) on a store built by ``search_corpus.py``
(or by a real ingest). The mix is ``run.py``'s (12 queries of 1-3 words incl. a phrase, each by
relevance and by newest; 4 of them with two facet filters; an empty query by newest) plus
three browse requests without text (facet filters; closing soonest). ``--profile`` also
times each SQL statement, grouped by its shape, to say where the time goes; ``--explain``
prints the query plans of the slowest shapes.

    python benchmarks/search_bench.py --db /tmp/search-1m.sqlite
    python benchmarks/search_bench.py --db postgresql+psycopg://postgres@127.0.0.1:5432/search --profile
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import QUERIES, ms  # noqa: E402  (the shared query list and percentiles)

# isort: off
from tenderlens.store import Store  # noqa: E402  (first: the store imports the search index)
from tenderlens.search.engine import sync_engine  # noqa: E402
from tenderlens.search.request import SearchRequest  # noqa: E402
from tenderlens.search.run import SearchTimeoutError, run_search  # noqa: E402
from tenderlens.search.tables import search_index  # noqa: E402
# isort: on

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def requests() -> list[tuple[str, SearchRequest]]:
    """The fixed mix, each with a short label for the slowest-request list."""
    out: list[tuple[str, SearchRequest]] = []
    for index, q in enumerate(QUERIES):
        out.extend((f"{q} [{sort}]", SearchRequest(q=q, sort=sort)) for sort in ("relevance", "newest"))
        if index % 3 == 0:
            out.append(
                (f"{q} [cpv=90 region=TLC|TLI]", SearchRequest(q=q, cpv=("90",), buyer_region=("TLC", "TLI")))
            )
    out.append(("(empty) [newest]", SearchRequest(q="", sort="newest")))
    out.append(
        ("(empty) [cpv=90 region=TLC]", SearchRequest(cpv=("90",), buyer_region=("TLC",), sort="newest"))
    )
    out.append(("(empty) [stage=tender sme=yes]", SearchRequest(stage=("tender",), sme="yes", sort="newest")))
    out.append(("(empty) [closing 30d, closing]", SearchRequest(closing_within=30, sort="closing")))
    return out


def statement_shape(statement: str) -> str:
    """A statement without its literals, shortened: what the profile groups by."""
    flat = re.sub(r"\s+", " ", statement)
    flat = re.sub(r"'[^']*'|\?|%\([^)]*\)s|\b\d+\b", "_", flat)
    grouped = re.search(r"GROUP BY (\S+)", flat)
    head = flat[:60]
    return f"{head} … GROUP BY {grouped.group(1)}" if grouped else head


def timed_search(engine: Any, request: SearchRequest, reference: Any, *, with_facets: bool) -> bool:
    """Run one search; False if it hit the 5 s time limit (its time still counts)."""
    try:
        run_search(engine, request, NOW, reference, with_facets=with_facets)
    except SearchTimeoutError:
        return False
    return True


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench(url: str, repeats: int, *, profile: bool, text_engine: bool = True) -> dict[str, Any]:
    store = Store.open(url if "://" in url else f"sqlite:///{url}")
    engine = store.engine
    build_s = None
    if text_engine:
        # Build or catch up the tantivy index first, timed apart from the searches.
        started = time.perf_counter()
        sync_engine(engine)
        build_s = round(time.perf_counter() - started, 2)
    else:
        import tenderlens.search.run as search_run  # noqa: PLC0415

        search_run.text_engine_for = lambda _engine: None  # type: ignore[assignment,attr-defined]
    from tenderlens.web.app import store_reference  # noqa: PLC0415

    reference = store_reference(store)
    with engine.connect() as conn:
        notices = int(conn.execute(select(func.count()).select_from(search_index)).scalar_one())
    spent: dict[str, list[float]] = defaultdict(list)
    if profile:

        @event.listens_for(engine, "before_cursor_execute")
        def _start(conn: Any, *_: Any) -> None:
            conn.info["started"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _stop(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            spent[statement_shape(statement)].append(time.perf_counter() - conn.info["started"])

    mix = requests()
    result: dict[str, Any] = {
        "backend": engine.dialect.name,
        "notices": notices,
        "requests": len(mix),
        "repeats": repeats,
        "text_engine": text_engine,
        "text_engine_sync_s": build_s,
    }
    rss_before = rss_mb()
    for label, facets in (("with_facets", True), ("without_facets", False)):
        timeouts = 0
        for _, request in mix:  # warm the caches
            timeouts += not timed_search(engine, request, reference, with_facets=facets)
        spent.clear()
        times: list[float] = []
        per_request: dict[str, list[float]] = defaultdict(list)
        for _ in range(repeats):
            for name, request in mix:
                started = time.perf_counter()
                timeouts += not timed_search(engine, request, reference, with_facets=facets)
                elapsed = time.perf_counter() - started
                times.append(elapsed)
                per_request[name].append(elapsed)
        result[label] = ms(times) | {"timeouts": timeouts}
        slowest = sorted(per_request.items(), key=lambda item: -max(item[1]))[:6]
        result[f"{label}_slowest_ms"] = {name: round(max(values) * 1000, 1) for name, values in slowest}
        if profile:
            top = sorted(spent.items(), key=lambda item: -sum(item[1]))[:12]
            result[f"{label}_statements"] = {
                shape: {
                    "calls": len(values),
                    "total_ms": round(sum(values) * 1000),
                    "max_ms": round(max(values) * 1000, 1),
                }
                for shape, values in top
            }
    result["peak_rss_mb"] = rss_mb()
    result["rss_before_searches_mb"] = rss_before
    store.close()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="time each SQL statement shape")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--no-engine", action="store_true", help="rank with SQL (bm25 / ts_rank), not the tantivy index"
    )
    args = parser.parse_args(argv)
    result = bench(args.db, args.repeats, profile=args.profile, text_engine=not args.no_engine)
    print(
        f"\nsearch: {result['backend']}, {result['notices']:,} notices, "
        f"{result['requests']} requests x {args.repeats}"
    )
    if result["text_engine"]:
        print(f"  text engine: built / synced in {result['text_engine_sync_s']} s before timing")
    else:
        print("  text engine: off (SQL ranking)")
    for label in ("with_facets", "without_facets"):
        s = result[label]
        print(
            f"  {label:<15} p50 / p95 / p99 ms  {s['p50']} / {s['p95']} / {s['p99']}"
            f"   (n={s['n']}, timeouts {s['timeouts']})"
        )
    print(
        f"  peak RSS of the search process: {result['peak_rss_mb']} MB "
        f"(before the searches: {result['rss_before_searches_mb']} MB)"
    )
    for label in ("with_facets", "without_facets"):
        print(f"  slowest ({label}):")
        for name, worst in result[f"{label}_slowest_ms"].items():
            print(f"    {worst:8.1f} ms  {name}")
        if args.profile:
            print(f"  SQL by shape ({label}): calls, total ms, max ms")
            for shape, s in result[f"{label}_statements"].items():
                print(f"    {s['calls']:5d} {s['total_ms']:7d} {s['max_ms']:7.1f}  {shape}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
