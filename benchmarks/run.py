# ruff: noqa: S311, S603  (seeded sampling, our own subprocesses)
"""One entry point for tenderlens's benchmarks (issue 7). Run on demand, never by pytest.

    python benchmarks/run.py --releases 100000                 # everything
    python benchmarks/run.py --releases 20000 --only compile   # some of: ingest,compile,search,notice

It generates the input (benchmarks/generate.py, seeded), then measures at that size:

- ingest: ``tenderlens.ingest.ingest`` into a fresh SQLite store, in a subprocess (releases/s,
  peak RSS of that process);
- compile (on the first ``--compile-releases``, whole ocids): tenderlens ``compile_releases`` vs
  ``ocdsmerge.Merger`` (compiled + versioned) on the same parsed releases, each engine's fastest
  of ``--compile-passes`` passes, and
  ``ocdskit compile --package --versioned`` on the same releases as a stream of release
  packages (a subprocess: its figure includes parsing and writing);
- search: ``run_search`` p50/p95/p99 over a fixed mix of queries, with and without facets;
- notice: ``/notices/{ocid}.json`` and ``/notices/{ocid}`` over HTTP from uvicorn (p50/p99), the
  page twice (the repeat view reads from a warm cache), and how much of the store was in the
  page cache.

Results print as a table and are written to ``benchmarks/results/<date>-<releases>-<parts>.json``
(``<releases>-buyers<N>`` with a pool; numbered ``-2``, ``-3``, ... when that file is there already).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from collections.abc import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
SCHEMA = ROOT.parent / "shared/data/ocds-schema/1.1/release-schema.json"
PARTS = ("ingest", "compile", "recompile", "search", "search-pg", "notice", "harvest")
DEFAULT_PARTS = tuple(part for part in PARTS if part != "search-pg")

sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank: the smallest value with at least ``pct``% of the values at or below it.

    Until 2026-12-06 this was ``round(pct / 100 * n + 0.5) - 1``, and ``round`` takes halves to
    even, so p99 of 100 values was the maximum and p99 of 300 the 298th value: one rank high
    whenever ``pct * n / 100`` was an odd whole number (benchmarks/RESULTS.md, ninth measurement).
    """
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(pct * len(ordered) / 100) - 1))
    return ordered[index]


def ms(values: list[float]) -> dict[str, float]:
    return {f"p{p}": round(percentile(values, p) * 1000, 2) for p in (50, 95, 99)} | {"n": len(values)}


# -- input ----------------------------------------------------------------------------------------


def dataset(releases: int, buyers: int) -> str:
    """The name of one generated input in file and database names: its size, and its buyer pool."""
    return f"{releases}-buyers{buyers}" if buyers else str(releases)


def make_inputs(work: Path, releases: int, seed: int, buyers: int = 0) -> Path:
    """JSON Lines of ``releases`` generated releases (made once per size, seed and buyer pool)."""
    lines = work / f"releases-{dataset(releases, buyers)}-{seed}.jsonl"
    if not lines.exists():
        started = time.perf_counter()
        partial = lines.with_suffix(".partial")
        with partial.open("wb") as out:
            for release in generate(releases, seed, buyers):
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


def ingest_child(db: str, path: str, workers_arg: str = "auto") -> None:
    """Run in a subprocess: the real ingest, then print its figures as JSON.

    ``workers_arg``: compile processes, or ``auto`` for what ``ingest`` picks by itself.
    """
    from tenderlens.ingest import ingest, ingest_workers  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415

    store = Store.open(db)
    workers = ingest_workers([path]) if workers_arg == "auto" else int(workers_arg)
    started = time.perf_counter()
    summary = ingest(store, [path], workers=workers)
    elapsed = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    # The compile workers (spawned children, joined by now): the largest child's peak.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "elapsed": elapsed,
        "summary": summary.as_dict(),
        "workers": workers,
        "peak_rss_kb": own.ru_maxrss,
        "worker_kb": children.ru_maxrss,
        # CPU seconds (user + system) of each side: the pipeline is as fast as its busier side.
        "main_cpu": own.ru_utime + own.ru_stime,
        "worker_cpu": children.ru_utime + children.ru_stime,
    }
    print(json.dumps(figures))


def bench_ingest(db: Path, lines: Path, workers: int | None = None) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return run_ingest(f"sqlite:///{db}", lines, db_file=db, workers=workers)


def stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the name (Linux), from the state on; None if gone.

    The name, in parentheses, may hold spaces and brackets, so it is cut at the last one.
    """
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _proc_rss_kb(pid: int) -> tuple[int, int]:
    """(parent pid, resident kB) of a running process, from /proc; (-1, 0) once it is gone."""
    fields = stat_fields(pid)
    if fields is None:
        return -1, 0
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return -1, 0
    rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return int(fields[1]), rss


def tree_rss_kb(pid: int) -> int:
    """The resident memory of ``pid`` and every process under it, now (from /proc, Linux)."""
    found = {
        int(entry.name): _proc_rss_kb(int(entry.name))
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
    }
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += found.get(current, (-1, 0))[1]
        stack.extend(child for child, (parent, _) in found.items() if parent == current)
    return total


def run_sampled(command: list[str], every: float = 0.5) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``command`` to the end, and the largest resident memory its process tree held at once (kB).

    Adding each process's own peak overstates it when they peak at different moments (the
    compile workers have exited before the ingest's text index is built), so the tree is
    sampled: a lower bound, short of the true peak only by what lasts less than ``every``.
    """
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(every):
            peak = max(peak, tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate()
    finally:
        stop.set()
        sampler.join()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, out, err)
    return subprocess.CompletedProcess(command, process.returncode, out, err), peak


def run_ingest(url: str, lines: Path, db_file: Path | None, workers: int | None = None) -> dict[str, Any]:
    """``workers``: compile processes (None: ingest's own default)."""
    started = time.perf_counter()
    done, together_kb = run_sampled(
        [PYTHON, __file__, "_ingest", url, str(lines), "auto" if workers is None else str(workers)]
    )
    wall = time.perf_counter() - started
    child = json.loads(done.stdout.strip().splitlines()[-1])
    summary = child["summary"]
    rate = summary["new"] / child["elapsed"]
    workers = child.get("workers", 1)
    result = {
        "db": url.rsplit("@", 1)[-1],
        "releases": summary["new"],
        "records": summary["records_compiled"],
        "rejected": summary["rejected"],
        "seconds": round(child["elapsed"], 2),
        "process_seconds": round(wall, 2),
        "releases_per_s": round(rate),
        "projected_5m_minutes": round(5_000_000 / rate / 60, 1),
        "peak_rss_mb": round(child["peak_rss_kb"] / 1024, 1),
        "workers": workers,
        "worker_peak_rss_mb": round(child.get("worker_kb", 0) / 1024, 1),
        # The peaks added, the largest worker's once per worker: an upper bound on the
        # ingest's memory at any one moment.
        "peak_rss_total_mb": round((child["peak_rss_kb"] + workers * child.get("worker_kb", 0)) / 1024, 1),
        # The processes' memory at once, sampled every half second: the figure for the target.
        "peak_rss_together_mb": round(together_kb / 1024, 1),
        "main_cpu_seconds": round(child["main_cpu"], 1),
        # All workers together.
        "worker_cpu_seconds": round(child["worker_cpu"], 1),
    }
    if db_file is not None:
        size = sum(path.stat().st_size for path in db_file.parent.glob(db_file.name + "*"))
        result["db_mb"] = round(size / 2**20, 1)
    return result


# -- compile --------------------------------------------------------------------------------------


PACKAGE_SIZE = 1000
# Passes per engine in the compile part; the fastest of each gives the ratio.
COMPILE_PASSES = 3


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


def compile_groups(lines: Path, limit: int) -> Any:
    """The first whole ocids of ``lines`` holding at least ``limit`` releases, parsed as needed."""
    count = 0
    for _ocid, group in groups(lines):
        if count >= limit:
            return
        items = list(group)
        count += len(items)
        yield items


def timed_pass(lines: Path, limit: int, compile_one: Callable[[list[dict[str, Any]]], None]) -> float:
    """Seconds ``compile_one`` takes over the ocids of :func:`compile_groups`, parsing not counted."""
    elapsed = 0.0
    for items in compile_groups(lines, limit):
        started = time.perf_counter()
        compile_one(items)
        elapsed += time.perf_counter() - started
    return elapsed


def bench_compile(work: Path, lines: Path, limit: int, passes: int = COMPILE_PASSES) -> dict[str, Any]:
    """Each engine in passes of its own, its output dropped as it goes, then an untimed equality pass.

    One pass per engine keeps each engine's garbage-collector work its own: interleaving them
    per ocid, with one engine's output kept alive for the comparison, made each collection walk
    the other engine's objects too. Each engine's fastest of ``passes`` passes gives the ratio:
    on a machine whose speed wanders, single passes of the same commit differed by half
    (benchmarks/RESULTS.md, twentieth measurement). Every pass's seconds are kept.
    """
    import ocdsmerge  # noqa: PLC0415

    from tenderlens.compile import MERGE_RULES, compile_releases, order_releases  # noqa: PLC0415

    merger = ocdsmerge.Merger(merge_rules=MERGE_RULES)
    parse = 0.0
    count = same = ocids = 0
    pending: list[dict[str, Any]] = []
    packages = work / f"compile-packages-{lines.stem}-{limit}.jsonl"
    with packages.open("wb") as pkg:
        for items in compile_groups(lines, limit):
            count += len(items)
            ocids += 1
            pending.extend(items)
            if len(pending) >= PACKAGE_SIZE:
                write_package(pkg, pending)
        write_package(pkg, pending)

    def ours_of(items: list[dict[str, Any]]) -> None:
        compile_releases(order_releases((r, i) for i, r in enumerate(items)))

    def theirs_of(items: list[dict[str, Any]]) -> None:
        merger.create_compiled_release(items)
        merger.create_versioned_release(items)

    our_passes: list[float] = []
    their_passes: list[float] = []
    for _ in range(passes):
        our_passes.append(timed_pass(lines, limit, ours_of))
        their_passes.append(timed_pass(lines, limit, theirs_of))
    ours, theirs = min(our_passes), min(their_passes)
    for items in compile_groups(lines, limit):
        compiled, versioned = compile_releases(order_releases((r, i) for i, r in enumerate(items)))
        their_compiled = merger.create_compiled_release(items)
        same += compiled == their_compiled and versioned == merger.create_versioned_release(items)
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
        "passes": len(our_passes),
        "tenderlens_pass_seconds": [round(seconds, 6) for seconds in our_passes],
        "ocdsmerge_pass_seconds": [round(seconds, 6) for seconds in their_passes],
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

    out: list[Any] = []
    for index, q in enumerate(QUERIES):
        out.extend(SearchRequest(q=q, sort=sort) for sort in ("relevance", "newest"))
        if index % 3 == 0:  # some with two facet filters
            out.append(SearchRequest(q=q, cpv=("90",), buyer_region=("TLC", "TLI")))
    out.append(SearchRequest(q="", sort="newest"))
    return out


def bench_search(url: str, repeats: int) -> dict[str, Any]:
    """The search engineer's ``search_bench.py`` mix if it is there, else this file's own."""
    if (HERE / "search_bench.py").exists():
        import search_bench  # noqa: PLC0415

        figures: dict[str, Any] = search_bench.bench(url, repeats, profile=False)
        return figures | {"mix": "search_bench.py"}
    return builtin_search(url, repeats) | {"mix": "run.py"}


def builtin_search(url: str, repeats: int) -> dict[str, Any]:
    from tenderlens.search.run import run_search  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415
    from tenderlens.web.app import store_reference  # noqa: PLC0415

    store = Store.open(url)
    reference = store_reference(store)
    now = datetime(2026, 11, 26, tzinfo=UTC)
    requests = search_requests()
    result: dict[str, Any] = {"backend": store.engine.dialect.name, "queries": len(requests)}
    result["repeats"] = repeats
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
    store.close()
    return result


def postgres_store(
    admin_url: str, releases: int, lines: Path, buyers: int = 0
) -> tuple[str, dict[str, Any] | None]:
    """A PostgreSQL store holding the input: reused if complete, else made by a real ingest.

    The database is ``tenderlens_bench_<releases>`` (``_buyers<N>`` after it for a buyer pool) on
    the server of ``admin_url``; it is only ever created or dropped under that name.
    """
    from sqlalchemy import create_engine, make_url, text  # noqa: PLC0415

    name = f"tenderlens_bench_{dataset(releases, buyers).replace('-', '_')}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    if exists:
        from tenderlens.store import Store  # noqa: PLC0415

        store = Store.open(url)
        complete = store.counts().get("releases") == releases and store.pending_count() == 0
        store.close()
        if complete:
            admin.dispose()
            return url, None
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url, run_ingest(url, lines, db_file=None)


# -- notice over HTTP -----------------------------------------------------------------------------


def stored_ocids(url: str) -> list[str]:
    from sqlalchemy import select  # noqa: PLC0415

    from tenderlens.store import Store  # noqa: PLC0415
    from tenderlens.store.schema import records  # noqa: PLC0415

    store = Store.open(url)
    with store.engine.connect() as conn:
        ocids = list(conn.execute(select(records.c.ocid).order_by(records.c.ocid)).scalars())
    store.close()
    return ocids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux ``/proc``), or None where there is none.

    On a shared machine a request's wall time includes waiting for a core; the server's CPU
    time per request does not, so it compares runs made under different loads.
    """
    fields = stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_share(path: Path) -> float | None:
    """How much of a file is in the page cache (0 to 1), by util-linux ``fincore``; None if unknown.

    A notice page reads its record and releases at random places in the store: when the page
    cache holds only part of the store (a machine with less memory, or one that keeps less
    cache), the slowest requests are disk reads, not CPU (benchmarks/RESULTS.md, seventeenth
    measurement). The figure says which of the two a run measured.
    """
    fincore = shutil.which("fincore")
    if fincore is None:
        return None
    try:
        done = subprocess.run(
            [fincore, "--bytes", "--noheadings", "--raw", "--output", "RES,SIZE", str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        resident, size = (int(field) for field in done.stdout.split())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return round(resident / size, 3) if size else None


def sqlite_path(url: str) -> Path | None:
    """The database file of an SQLite URL (None for another database or an in-memory one)."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def store_files(database: Path) -> list[Path]:
    """An SQLite store's files on disk: the database, its write-ahead log and its text index."""
    from sqlalchemy import create_engine  # noqa: PLC0415

    from tenderlens.search.engine import directory_for  # noqa: PLC0415

    found = [database, database.with_name(database.name + "-wal")]
    engine = create_engine(f"sqlite:///{database}")  # lazy: only its URL is read
    index = directory_for(engine)
    engine.dispose()
    if index is not None and index.is_dir():
        found += sorted(path for path in index.rglob("*") if path.is_file())
    return [path for path in found if path.is_file()]


def evict_from_page_cache(paths: list[Path]) -> None:
    """Drop files from the page cache, without root: written back first, then ``POSIX_FADV_DONTNEED``.

    A page that is still dirty cannot be dropped, hence the ``fsync``. The next reads of the
    files come from the disk, as on a server whose cache holds other things.
    """
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


COLD_NEEDS_SQLITE = "--notice-cold needs an SQLite store: its files are what is dropped"


def bench_notice(url: str, samples: int, *, cold: bool = False) -> dict[str, Any]:
    """Each sampled notice's JSON, then its page, then its page again (a repeat view).

    The JSON pass is each notice's first view: it reads from disk what the page cache does not
    hold. The page pass reads the same record and releases (cached by then) and the relevance
    block's rows; the repeat pass reads nothing new. With how much of the store was cached before
    and after, a run that read from disk can be told from one that did not. ``cold`` (an SQLite
    store only) first drops the store's files from the page cache, so the JSON pass and the
    server's warm-up read everything they use from the disk.
    """
    import httpx  # noqa: PLC0415

    database = sqlite_path(url)
    if cold and database is None:
        raise SystemExit(COLD_NEEDS_SQLITE)
    ocids = stored_ocids(url)
    picked = random.Random(7).sample(ocids, min(samples, len(ocids)))
    # The server is warmed up on other notices where there are enough, so that the JSON pass is
    # each sampled notice's first view (until 2026-12-08 it warmed up on the first 20 sampled).
    sampled = set(picked)
    warm_up = [ocid for ocid in ocids if ocid not in sampled][:20] or picked[:20]
    result: dict[str, Any] = {"samples": len(picked), "cold": cold}
    if database is not None:
        if cold:
            evict_from_page_cache(store_files(database))
        result["store_in_page_cache_before"] = resident_share(database)
    port = free_port()
    env = os.environ | {"TENDERLENS_DATABASE_URL": url}
    command = [PYTHON, "-m", "uvicorn", "--factory", "tenderlens.web.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(100):
                try:
                    client.get("/api/openapi.json")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            for label, suffix in (("json", ".json"), ("page", ""), ("page_repeat", "")):
                if label != "page_repeat":  # warm the server up (the repeat pass is warm already)
                    for ocid in warm_up:
                        client.get(f"/notices/{ocid}{suffix}").raise_for_status()
                times: list[float] = []
                cpu_before = cpu_seconds(server.pid)
                for ocid in picked:
                    started = time.perf_counter()
                    client.get(f"/notices/{ocid}{suffix}").raise_for_status()
                    times.append(time.perf_counter() - started)
                cpu_after = cpu_seconds(server.pid)
                result[label] = ms(times)
                if cpu_before is not None and cpu_after is not None:
                    result[label]["server_cpu_ms"] = round((cpu_after - cpu_before) / len(picked) * 1000, 2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    if database is not None:
        result["store_in_page_cache_after"] = resident_share(database)
    result["in_process"] = notice_parts(url, picked)
    return result


def notice_parts(url: str, ocids: list[str]) -> dict[str, Any]:
    """Where a notice request's time goes, in-process: each block of the page's context, then HTML.

    The blocks are the notice itself (``notice_context``: load, build, what changed, timeline)
    and, where the web app has it, the relevance block (``notice_match_context``).
    """
    from tenderlens.web.app import create_app  # noqa: PLC0415
    from tenderlens.web.rendering import json_response, render  # noqa: PLC0415
    from tenderlens.web.views.notice import notice_context  # noqa: PLC0415

    blocks: list[tuple[str, Any]] = [("notice_context", notice_context)]
    try:
        from tenderlens.web.views.match import notice_match_context  # noqa: PLC0415
    except ImportError:
        pass
    else:
        blocks.append(("match_context", notice_match_context))
    state = create_app(url).state.tenderlens
    times: dict[str, list[float]] = {name: [] for name, _ in [*blocks, ("render_html", None), ("json", None)]}
    for ocid in ocids:
        context: dict[str, Any] = {}
        for name, block in blocks:
            started = time.perf_counter()
            context |= block(state, ocid)
            times[name].append(time.perf_counter() - started)
        started = time.perf_counter()
        render("notice.html", context)
        times["render_html"].append(time.perf_counter() - started)
        started = time.perf_counter()
        json_response(context)
        times["json"].append(time.perf_counter() - started)
    state.store.close()
    return {name: ms(values) for name, values in times.items()}


# -- recompile one new release ------------------------------------------------------------------


RECOMPILE_HISTORIES = (1, 8, 64, 256)


def recompile_child(history: int, repeats: int) -> None:
    """Run in a subprocess: the cost of one more release on an ocid that has ``history`` already.

    Each repeat uses a fresh SQLite store holding one ocid with ``history`` releases (compiled),
    then ingests one more release of it, timed: store + compile + index, end to end. The figure
    to compare is the same with ``history`` 1: if compiling were incremental it would not grow.
    """
    import tempfile  # noqa: PLC0415

    from generate import long_history  # noqa: PLC0415

    from tenderlens.ingest import ingest  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415

    times: list[float] = []
    cpu: list[float] = []
    for repeat in range(repeats):
        releases = list(long_history(history + 1, seed=repeat + 1))
        with tempfile.TemporaryDirectory() as tmp:
            before, last = Path(tmp) / "history.jsonl", Path(tmp) / "new.jsonl"
            before.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in releases[:-1]))
            last.write_bytes(orjson.dumps(releases[-1]) + b"\n")
            store = Store.open(f"sqlite:///{tmp}/store.sqlite")
            ingest(store, [before])
            started, started_cpu = time.perf_counter(), time.process_time()
            summary = ingest(store, [last])
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert summary.new == 1, summary
            assert summary.records_compiled == 1, summary
            store.close()
    print(json.dumps({"history": history, "seconds": times, "cpu_seconds": cpu}))


def bench_recompile(repeats: int) -> dict[str, Any]:
    result: dict[str, Any] = {"repeats": repeats}
    for history in RECOMPILE_HISTORIES:
        done = subprocess.run(
            [PYTHON, __file__, "_recompile", str(history), str(repeats)],
            check=True,
            capture_output=True,
            text=True,
        )
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        for key, name in (("seconds", "ms"), ("cpu_seconds", "cpu_ms")):
            values = sorted(measured[key])
            result[f"history_{history}_{name}"] = round(values[len(values) // 2] * 1000, 2)
    # Wall time includes the commits' fsyncs, which a busy disk stretches; CPU time does not.
    for name in ("ms", "cpu_ms"):
        base = result[f"history_{RECOMPILE_HISTORIES[0]}_{name}"]
        suffix = "vs_1" if name == "ms" else "cpu_vs_1"
        for history in RECOMPILE_HISTORIES[1:]:
            result[f"history_{history}_{suffix}"] = round(result[f"history_{history}_{name}"] / base, 2)
    return result


# -- harvest of a local mirror --------------------------------------------------------------------


def start_mirror(lines: Path, releases: int) -> tuple[subprocess.Popen[str], str, str, str, int]:
    """benchmarks/mirror.py in a subprocess; its URL, the span it serves and its release count."""
    command = [PYTHON, str(HERE / "mirror.py"), str(lines), "--releases", str(releases)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url, first, last, count = server.stdout.readline().split()
    return server, url, first, last, int(count)


def read_mirror(url: str, first: str, last: str) -> dict[str, Any]:
    """How fast a plain client reads every page (no parsing, no store): the server's own limit."""
    from datetime import timedelta  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    from tenderlens.harvest.base import split_windows  # noqa: PLC0415
    from tenderlens.harvest.pages import inspect_package  # noqa: PLC0415
    from tenderlens.harvest.sources import SOURCES  # noqa: PLC0415

    fts = SOURCES["fts"]
    start = datetime.fromisoformat(first)
    end = datetime.fromisoformat(last) + timedelta(seconds=1)
    pages = releases = size = 0
    started = time.perf_counter()
    with httpx.Client(timeout=60) as client:
        for window in split_windows(start, end, fts.max_window):
            next_url: str | None = fts.search_url(window.start, window.end, 100, url)
            while next_url:
                body = client.get(next_url).raise_for_status().content
                info = inspect_package(body)
                pages, releases, size = pages + 1, releases + info.releases, size + len(body)
                next_url = info.next_url
    elapsed = time.perf_counter() - started
    return {
        "pages": pages,
        "releases": releases,
        "mb": round(size / 2**20, 1),
        "seconds": round(elapsed, 2),
        "releases_per_s": round(releases / elapsed),
    }


def harvest_child(db: str, url: str, first: str, last: str, profile: str) -> None:
    """Run in a subprocess: ``tenderlens.harvest`` of the mirror with every politeness wait at zero."""
    from datetime import timedelta  # noqa: PLC0415

    from tenderlens.harvest import HarvestSettings, harvest  # noqa: PLC0415
    from tenderlens.harvest.logs import harvest_logging  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415

    store = Store.open(db)
    settings = HarvestSettings.load(min_interval=0.0, rate_limit_wait=0.0, backoff=0.0, jitter=0.0)
    start = datetime.fromisoformat(first)
    end = datetime.fromisoformat(last) + timedelta(seconds=1)
    profiler = None
    if profile:
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    with harvest_logging(None):  # JSON Lines on stderr, as ``tenderlens harvest`` off a terminal
        summary = harvest(store, "fts", settings, start=start, end=end, base_url=url, now=end)
    elapsed = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"elapsed": elapsed, "summary": summary.as_dict(), "peak_rss_kb": peak_kb}))


def bench_harvest(work: Path, lines: Path, releases: int, *, profile: bool) -> dict[str, Any]:
    db = work / f"harvest-{releases}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    server, url, first, last, served = start_mirror(lines, releases)
    stats = work / f"harvest-{releases}.pstats" if profile else None
    try:
        mirror = read_mirror(url, first, last)
        done = subprocess.run(
            [PYTHON, __file__, "_harvest", f"sqlite:///{db}", url, first, last, str(stats or "")],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    child = json.loads(done.stdout.strip().splitlines()[-1])
    summary = child["summary"]
    if summary["error"] or summary["new"] != served:
        raise RuntimeError(f"harvest of the mirror failed or is incomplete: {summary}")
    result = {
        "releases": summary["new"],
        "records": summary["records_compiled"],
        "pages": summary["pages"],
        "windows": summary["windows"],
        "seconds": round(child["elapsed"], 2),
        "releases_per_s": round(summary["new"] / child["elapsed"]),
        "peak_rss_mb": round(child["peak_rss_kb"] / 1024, 1),
        "mirror_alone": mirror,
    }
    if stats is not None:
        result["profile"] = top_functions(stats)
    return result


def top_functions(stats_path: Path, count: int = 15) -> list[str]:
    """The functions with the most cumulative time in a cProfile dump, as short lines."""
    import pstats  # noqa: PLC0415

    stats = pstats.Stats(str(stats_path))
    rows = []
    for (filename, line, name), (_, calls, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = filename.split("/site-packages/")[-1].split("/src/")[-1]
        rows.append((cumulative, f"{cumulative:8.2f} s  {calls:>9} calls  {where}:{line}({name})"))
    return [text for _, text in sorted(rows, reverse=True)[:count]]


# -- report ---------------------------------------------------------------------------------------


def rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, label in (("ingest", "SQLite"), ("ingest-pg", "PostgreSQL")):
        if ingest := results.get(key):
            out += [
                (f"ingest releases/s ({label}, end to end)", f"{ingest['releases_per_s']:,}"),
                (f"ingest seconds ({label})", f"{ingest['seconds']}"),
                (f"ingest projected to 5M releases ({label}), minutes", f"{ingest['projected_5m_minutes']}"),
                (f"ingest compile workers ({label})", f"{ingest.get('workers', 1)}"),
                (
                    f"ingest peak RSS MB ({label}): main / largest worker / all, added",
                    " / ".join(
                        str(ingest.get(key))
                        for key in ("peak_rss_mb", "worker_peak_rss_mb", "peak_rss_total_mb")
                    ),
                ),
                (
                    f"ingest peak RSS MB ({label}): all at once, sampled",
                    f"{ingest.get('peak_rss_together_mb')}",
                ),
                (
                    f"ingest CPU seconds ({label}): main / workers",
                    f"{ingest.get('main_cpu_seconds')} / {ingest.get('worker_cpu_seconds')}",
                ),
                (f"records compiled ({label})", f"{ingest['records']:,}"),
            ]
    ingest = results.get("ingest")
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
                ratio = ingest["releases_per_s"] / comp["ocdskit_releases_per_s"]
                out.append(("ingest end to end / ocdskit compile", f"{ratio:.2f}x"))
    if recompile := results.get("recompile"):
        for history in RECOMPILE_HISTORIES:
            ms_text = f"{recompile[f'history_{history}_ms']} ms"
            cpu_text = f"{recompile[f'history_{history}_cpu_ms']} ms CPU"
            if history != RECOMPILE_HISTORIES[0]:
                ms_text += f" ({recompile[f'history_{history}_vs_1']}x the 1-release case)"
                cpu_text += f" ({recompile[f'history_{history}_cpu_vs_1']}x)"
            out.append((f"one new release on a history of {history}, ingest end to end", ms_text))
            out.append(("  the same, CPU time of the process", cpu_text))
    for key, label in (("search", "SQLite"), ("search-pg", "PostgreSQL")):
        if search := results.get(key):
            for facets in ("with_facets", "without_facets"):
                s = search[facets]
                out.append(
                    (f"search {label} {facets} p50/p95/p99 ms", f"{s['p50']} / {s['p95']} / {s['p99']}")
                )
    if notice := results.get("notice"):
        if notice.get("cold"):
            out.append(("notice: the store's files dropped from the page cache first", "yes"))
        for when in ("before", "after"):
            share = notice.get(f"store_in_page_cache_{when}")
            if share is not None:
                out.append((f"notice: store in the page cache {when}", f"{share:.0%}"))
        for label in ("json", "page", "page_repeat"):
            if label not in notice:  # results files from before the repeat pass
                continue
            s = notice[label]
            name = "page, repeat view" if label == "page_repeat" else label
            out.append((f"notice {name} over HTTP p50/p99 ms", f"{s['p50']} / {s['p99']}"))
            if "server_cpu_ms" in s:
                out.append((f"notice {name}: server CPU ms per request", f"{s['server_cpu_ms']}"))
        for part, s in notice.get("in_process", {}).items():
            out.append((f"  of which, in-process: {part} p50/p99 ms", f"{s['p50']} / {s['p99']}"))
    if harvest := results.get("harvest"):
        out += [
            ("harvest of the local mirror releases/s", f"{harvest['releases_per_s']:,}"),
            (
                "harvest seconds / pages / peak RSS MB",
                f"{harvest['seconds']} / {harvest['pages']} / {harvest['peak_rss_mb']}",
            ),
            ("mirror read alone (no store) releases/s", f"{harvest['mirror_alone']['releases_per_s']:,}"),
        ]
    return out


def store_url(value: str) -> str:
    return value if "://" in value else f"sqlite:///{Path(value).resolve()}"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_ingest"]:
        ingest_child(*argv[1:4])
        return
    if argv[:1] == ["_recompile"]:
        recompile_child(int(argv[1]), int(argv[2]))
        return
    if argv[:1] == ["_harvest"]:
        harvest_child(*argv[1:6])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--buyers",
        type=int,
        default=0,
        help="draw buyers from a Zipf-weighted pool of N, as real data has (default: one per process)",
    )
    parser.add_argument(
        "--only", default=",".join(DEFAULT_PARTS), help=f"comma-separated subset of {','.join(PARTS)}"
    )
    workdir = "/tmp/tenderlens-bench"  # noqa: S108 - scratch space for generated inputs and stores
    parser.add_argument("--workdir", default=workdir, help="inputs and the store go here")
    parser.add_argument(
        "--store",
        help="an ingested store (SQLite path or URL) for search and notice; default: the one "
        "the last ingest of this size left in --workdir",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TENDERLENS_BENCH_POSTGRES"),
        help="PostgreSQL server URL for search-pg (database tenderlens_bench_<releases> is made "
        "there by an ingest of the same input, or reused if complete)",
    )
    parser.add_argument(
        "--compile-releases", type=int, default=20_000, help="compile comparison on the first N (whole ocids)"
    )
    parser.add_argument(
        "--compile-passes",
        type=int,
        default=COMPILE_PASSES,
        help=f"passes per engine in the compile part, the fastest of each taken (default {COMPILE_PASSES})",
    )
    parser.add_argument("--harvest-releases", type=int, default=20_000, help="the mirror serves the first N")
    parser.add_argument(
        "--workers", type=int, help="compile processes for the ingest part (default: as tenderlens picks)"
    )
    parser.add_argument("--profile-harvest", action="store_true", help="cProfile the harvest process")
    parser.add_argument("--recompile-repeats", type=int, default=5)
    parser.add_argument("--search-repeats", type=int, default=5)
    parser.add_argument("--notice-samples", type=int, default=300)
    parser.add_argument(
        "--notice-cold",
        action="store_true",
        help="drop the SQLite store's files from the page cache before the notice part (a cold start)",
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    if "search-pg" in parts and not args.postgres:
        parser.error("search-pg needs --postgres URL (or TENDERLENS_BENCH_POSTGRES)")
    if args.notice_cold and "notice" in parts and args.store and sqlite_path(store_url(args.store)) is None:
        parser.error(COLD_NEEDS_SQLITE)  # before the input is generated, not after the other parts
    if args.compile_passes < 1:
        parser.error("--compile-passes must be 1 or more")
    if args.buyers < 0:
        parser.error("--buyers must be 0 (one per process) or more")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    lines = make_inputs(work, args.releases, args.seed, args.buyers)
    db = work / f"store-{dataset(args.releases, args.buyers)}.sqlite"
    url = store_url(args.store) if args.store else f"sqlite:///{db}"

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "releases": args.releases,
        "seed": args.seed,
        "buyers": args.buyers,
        "input_mb": round(lines.stat().st_size / 2**20, 1),
        "store": url.rsplit("@", 1)[-1],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    timings: dict[str, float] = {}
    for part in PARTS:
        if part not in parts:
            continue
        if part in {"search", "notice"} and not args.store and not db.exists():
            print(f"{part}: no store at {db}; run with ingest first, or give --store", file=sys.stderr)
            continue
        started = time.perf_counter()
        print(f"running {part} ...", file=sys.stderr, flush=True)
        if part == "ingest":
            results[part] = bench_ingest(db, lines, args.workers)
        elif part == "compile":
            results[part] = bench_compile(work, lines, args.compile_releases, args.compile_passes)
        elif part == "recompile":
            results[part] = bench_recompile(args.recompile_repeats)
        elif part == "search":
            results[part] = bench_search(url, args.search_repeats)
        elif part == "search-pg":
            pg_url, pg_ingest = postgres_store(args.postgres, args.releases, lines, args.buyers)
            if pg_ingest is not None:
                results["ingest-pg"] = pg_ingest
            results[part] = bench_search(pg_url, args.search_repeats)
        elif part == "notice":
            results[part] = bench_notice(url, args.notice_samples, cold=args.notice_cold)
        else:
            results[part] = bench_harvest(work, lines, args.harvest_releases, profile=args.profile_harvest)
        timings[part] = round(time.perf_counter() - started, 1)
    results["part_seconds"] = timings

    table = rows(results)
    width = max((len(name) for name, _ in table), default=10)
    pool = f", a pool of {args.buyers:,} buyers" if args.buyers else ""
    print(f"\ntenderlens benchmarks: {args.releases:,} releases, seed {args.seed}{pool}, {results['date']}")
    for name, value in table:
        print(f"  {name:<{width}}  {value}")
    for line in results.get("harvest", {}).get("profile", []):
        print(f"    {line}")
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    stem = f"{results['date'][:10]}-{dataset(args.releases, args.buyers)}-{'-'.join(parts)}"
    out = out_dir / f"{stem}.json"
    for number in itertools.count(2):  # a second run of the same day and parts keeps the first
        if not out.exists():
            break
        out = out_dir / f"{stem}-{number}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
