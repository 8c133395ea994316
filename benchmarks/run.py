# ruff: noqa: S311, S603  (seeded sampling, our own subprocesses)
"""One entry point for tenderlens's benchmarks (issue 7). Run on demand, never by pytest.

    python benchmarks/run.py --releases 100000                 # everything
    python benchmarks/run.py --releases 20000 --only compile   # some of: ingest,compile,search,notice

It generates the input (benchmarks/generate.py, seeded), then measures at that size:

- ingest: ``tenderlens.ingest.ingest`` into a fresh SQLite store, in a subprocess (releases/s,
  peak RSS of that process);
- compile (on the first ``--compile-releases``, whole ocids): tenderlens ``compile_releases`` vs
  ``ocdsmerge.Merger`` (compiled + versioned) on the same parsed releases, and
  ``ocdskit compile --package --versioned`` on the same releases as a stream of release
  packages (a subprocess: its figure includes parsing and writing);
- search: ``run_search`` p50/p95/p99 over a fixed mix of queries, with and without facets;
- notice: ``/notices/{ocid}.json`` and ``/notices/{ocid}`` over HTTP from uvicorn (p50/p99).

Results print as a table and are written to ``benchmarks/results/<date>-<releases>.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import resource
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
SCHEMA = ROOT.parent / "shared/data/ocds-schema/1.1/release-schema.json"
PARTS = ("ingest", "compile", "search", "notice")

sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def ms(values: list[float]) -> dict[str, float]:
    return {f"p{p}": round(percentile(values, p) * 1000, 2) for p in (50, 95, 99)} | {"n": len(values)}


# -- input ----------------------------------------------------------------------------------------


def make_inputs(work: Path, releases: int, seed: int) -> Path:
    """JSON Lines of ``releases`` generated releases (made once per size and seed)."""
    lines = work / f"releases-{releases}-{seed}.jsonl"
    if not lines.exists():
        started = time.perf_counter()
        partial = lines.with_suffix(".partial")
        with partial.open("wb") as out:
            for release in generate(releases, seed):
                out.write(orjson.dumps(release) + b"\n")
        partial.rename(lines)
        print(
            f"generated {releases} releases in {time.perf_counter() - started:.1f}s: {lines}", file=sys.stderr
        )
    return lines


def groups(path: Path) -> Any:
    """(ocid, [releases]) in file order; the generator writes each ocid's releases together."""
    with path.open("rb") as lines:
        parsed = (orjson.loads(line) for line in lines)
        yield from itertools.groupby(parsed, key=lambda release: release["ocid"])


# -- ingest ---------------------------------------------------------------------------------------


def ingest_child(db: str, path: str) -> None:
    """Run in a subprocess: the real ingest, then print its figures as JSON."""
    from tenderlens.ingest import ingest  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415

    store = Store.open(db)
    started = time.perf_counter()
    summary = ingest(store, [path])
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"elapsed": elapsed, "summary": summary.as_dict(), "peak_rss_kb": peak_kb}))


def bench_ingest(work: Path, lines: Path, releases: int) -> dict[str, Any]:
    db = work / f"store-{releases}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, __file__, "_ingest", f"sqlite:///{db}", str(lines)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    child = json.loads(done.stdout.strip().splitlines()[-1])
    summary = child["summary"]
    return {
        "db": str(db),
        "releases": summary["new"],
        "records": summary["records_compiled"],
        "rejected": summary["rejected"],
        "seconds": round(child["elapsed"], 2),
        "process_seconds": round(wall, 2),
        "releases_per_s": round(summary["new"] / child["elapsed"]),
        "peak_rss_mb": round(child["peak_rss_kb"] / 1024, 1),
        "db_mb": round(db.stat().st_size / 2**20, 1),
    }


# -- compile --------------------------------------------------------------------------------------


PACKAGE_SIZE = 1000


def run_ocdskit(command: list[str], packages: Path) -> float:
    started = time.perf_counter()
    with packages.open("rb") as stdin:
        subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def write_package(out: Any, releases: list[dict[str, Any]]) -> None:
    """One release package per line (ocdskit reads a stream of them), then empty ``releases``."""
    if releases:
        package = {
            "uri": "https://example.com/bench",
            "version": "1.1",
            "publishedDate": "2026-11-26T00:00:00Z",
        }
        out.write(orjson.dumps(package | {"publisher": {"name": "bench"}, "releases": releases}) + b"\n")
        releases.clear()


def bench_compile(work: Path, lines: Path, limit: int) -> dict[str, Any]:
    import ocdsmerge  # noqa: PLC0415

    from tenderlens.compile import MERGE_RULES, compile_releases, order_releases  # noqa: PLC0415

    merger = ocdsmerge.Merger(merge_rules=MERGE_RULES)
    ours = theirs = parse = 0.0
    count = same = ocids = 0
    pending: list[dict[str, Any]] = []
    packages = work / f"compile-packages-{lines.stem}-{limit}.jsonl"
    with packages.open("wb") as pkg:
        for _ocid, group in groups(lines):
            if count >= limit:
                break
            items = list(group)
            count += len(items)
            ocids += 1
            pending.extend(items)
            if len(pending) >= PACKAGE_SIZE:
                write_package(pkg, pending)
            started = time.perf_counter()
            compiled, versioned = compile_releases(order_releases((r, i) for i, r in enumerate(items)))
            ours += time.perf_counter() - started
            started = time.perf_counter()
            their_compiled = merger.create_compiled_release(items)
            their_versioned = merger.create_versioned_release(items)
            theirs += time.perf_counter() - started
            same += compiled == their_compiled and versioned == their_versioned
        write_package(pkg, pending)
    started = time.perf_counter()
    with lines.open("rb") as stream:
        for line in itertools.islice(stream, count):
            orjson.loads(line)
    parse = time.perf_counter() - started

    result: dict[str, Any] = {
        "releases": count,
        "ocids": ocids,
        "tenderlens_releases_per_s": round(count / ours),
        "ocdsmerge_releases_per_s": round(count / theirs),
        "tenderlens_vs_ocdsmerge": round(theirs / ours, 2),
        "identical_to_ocdsmerge": f"{same}/{ocids}",
        "orjson_parse_releases_per_s": round(count / parse),
    }
    if SCHEMA.exists():
        ocdskit = [str(Path(PYTHON).parent / "ocdskit"), "compile", "--schema", str(SCHEMA)]
        kit = run_ocdskit([*ocdskit, "--package", "--versioned", "--fake"], packages)
        kit_compiled = run_ocdskit(ocdskit, packages)
        # ocdskit's figures include reading and writing JSON; give ours the parse for the ratio.
        ours_end_to_end = ours + parse
        result |= {
            "ocdskit_releases_per_s": round(count / kit),
            "tenderlens_plus_parse_vs_ocdskit": round(kit / ours_end_to_end, 2),
            "ocdskit_compiled_only_releases_per_s": round(count / kit_compiled),
        }
    else:
        result["ocdskit"] = f"skipped: no local release schema at {SCHEMA}"
    return result


# -- search ---------------------------------------------------------------------------------------


QUERIES = [
    "cleaning",
    "security",
    "software",
    "catering services",
    "window cleaning",
    "road resurfacing",
    "home care",
    "grounds maintenance framework",
    '"gutter clearing"',
    "ICT support contract",
    "energy supply Leeds",
    "waste collection council",
]


def search_requests() -> list[Any]:
    from tenderlens.search.request import SearchRequest  # noqa: PLC0415

    out = []
    for index, q in enumerate(QUERIES):
        out.extend(SearchRequest(q=q, sort=sort) for sort in ("relevance", "newest"))
        if index % 3 == 0:  # some with two facet filters
            out.append(SearchRequest(q=q, cpv=("90",), buyer_region=("TLC", "TLI")))
    out.append(SearchRequest(q="", sort="newest"))
    return out


def bench_search(db: str, repeats: int) -> dict[str, Any]:
    from tenderlens.search.run import run_search  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415
    from tenderlens.web.app import store_reference  # noqa: PLC0415

    store = Store.open(f"sqlite:///{db}")
    reference = store_reference(store)
    now = datetime(2026, 11, 26, tzinfo=UTC)
    requests = search_requests()
    result: dict[str, Any] = {"queries": len(requests), "repeats": repeats}
    for label, facets in (("with_facets", True), ("without_facets", False)):
        for request in requests:  # warm the page cache
            run_search(store.engine, request, now, reference, with_facets=facets)
        times: list[float] = []
        for _ in range(repeats):
            for request in requests:
                started = time.perf_counter()
                run_search(store.engine, request, now, reference, with_facets=facets)
                times.append(time.perf_counter() - started)
        result[label] = ms(times)
    return result


# -- notice over HTTP -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_notice(db: str, lines: Path, samples: int) -> dict[str, Any]:
    import httpx  # noqa: PLC0415

    ocids = [ocid for ocid, _ in groups(lines)]
    picked = random.Random(7).sample(ocids, min(samples, len(ocids)))
    port = free_port()
    env = os.environ | {"TENDERLENS_DATABASE_URL": f"sqlite:///{db}"}
    command = [PYTHON, "-m", "uvicorn", "--factory", "tenderlens.web.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, env=env)
    result: dict[str, Any] = {"samples": len(picked)}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(100):
                try:
                    client.get("/api/openapi.json")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            for label, suffix in (("json", ".json"), ("page", "")):
                for ocid in picked[:20]:
                    client.get(f"/notices/{ocid}{suffix}").raise_for_status()
                times: list[float] = []
                for ocid in picked:
                    started = time.perf_counter()
                    client.get(f"/notices/{ocid}{suffix}").raise_for_status()
                    times.append(time.perf_counter() - started)
                result[label] = ms(times)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return result


# -- report ---------------------------------------------------------------------------------------


def rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if ingest := results.get("ingest"):
        out += [
            ("ingest releases/s (SQLite, end to end)", f"{ingest['releases_per_s']:,}"),
            ("ingest seconds", f"{ingest['seconds']}"),
            ("ingest peak RSS MB", f"{ingest['peak_rss_mb']}"),
            ("records compiled", f"{ingest['records']:,}"),
        ]
    if comp := results.get("compile"):
        out += [
            ("compile tenderlens releases/s (compiled+versioned)", f"{comp['tenderlens_releases_per_s']:,}"),
            ("compile ocdsmerge releases/s (compiled+versioned)", f"{comp['ocdsmerge_releases_per_s']:,}"),
            ("tenderlens / ocdsmerge", f"{comp['tenderlens_vs_ocdsmerge']}x"),
            ("identical to ocdsmerge (ocids)", comp["identical_to_ocdsmerge"]),
            ("orjson parse releases/s", f"{comp['orjson_parse_releases_per_s']:,}"),
        ]
        if "ocdskit_releases_per_s" in comp:
            out += [
                ("ocdskit compile releases/s (package, versioned)", f"{comp['ocdskit_releases_per_s']:,}"),
                ("tenderlens (+parse) / ocdskit", f"{comp['tenderlens_plus_parse_vs_ocdskit']}x"),
                (
                    "ocdskit compile releases/s (compiled only)",
                    f"{comp['ocdskit_compiled_only_releases_per_s']:,}",
                ),
            ]
        if ingest:
            ratio = ingest["releases_per_s"] / comp.get("ocdskit_releases_per_s", float("nan"))
            out.append(("ingest end to end / ocdskit compile", f"{ratio:.2f}x"))
    if search := results.get("search"):
        for label in ("with_facets", "without_facets"):
            s = search[label]
            out.append((f"search {label} p50/p95/p99 ms", f"{s['p50']} / {s['p95']} / {s['p99']}"))
    if notice := results.get("notice"):
        for label in ("json", "page"):
            s = notice[label]
            out.append((f"notice {label} over HTTP p50/p99 ms", f"{s['p50']} / {s['p99']}"))
    return out


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_ingest"]:
        ingest_child(argv[1], argv[2])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}"
    )
    workdir = "/tmp/tenderlens-bench"  # noqa: S108 - scratch space for generated inputs and stores
    parser.add_argument("--workdir", default=workdir, help="inputs and the store go here")
    parser.add_argument(
        "--compile-releases", type=int, default=20_000, help="compile comparison on the first N (whole ocids)"
    )
    parser.add_argument("--search-repeats", type=int, default=5)
    parser.add_argument("--notice-samples", type=int, default=300)
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    lines = make_inputs(work, args.releases, args.seed)
    db = work / f"store-{args.releases}.sqlite"

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "releases": args.releases,
        "seed": args.seed,
        "input_mb": round(lines.stat().st_size / 2**20, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    timings: dict[str, float] = {}
    for part in PARTS:
        if part not in parts:
            continue
        if part not in {"ingest", "compile"} and not db.exists():
            print(f"{part}: no store at {db}; run with ingest first", file=sys.stderr)
            continue
        started = time.perf_counter()
        print(f"running {part} ...", file=sys.stderr, flush=True)
        if part == "ingest":
            results[part] = bench_ingest(work, lines, args.releases)
        elif part == "compile":
            results[part] = bench_compile(work, lines, args.compile_releases)
        elif part == "search":
            results[part] = bench_search(str(db), args.search_repeats)
        else:
            results[part] = bench_notice(str(db), lines, args.notice_samples)
        timings[part] = round(time.perf_counter() - started, 1)
    results["part_seconds"] = timings

    table = rows(results)
    width = max((len(name) for name, _ in table), default=10)
    print(f"\ntenderlens benchmarks: {args.releases:,} releases, seed {args.seed}, {results['date']}")
    for name, value in table:
        print(f"  {name:<{width}}  {value}")
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{results['date'][:10]}-{args.releases}-{'-'.join(parts)}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
