"""Where ingest spends its time: cProfile, or wall-clock phases without a profiler's overhead.

    python benchmarks/profile_ingest.py --releases 20000                 # cProfile, top functions
    python benchmarks/profile_ingest.py --releases 20000 --mode phases   # timers around each stage
    python benchmarks/profile_ingest.py --releases 20000 --mode recompile  # one new release per process
    python benchmarks/profile_ingest.py --releases 1000000 --mode growth --workers 1  # per tenth

cProfile inflates pure-Python recursion (``_plain``, ocdsmerge's ``flatten``) about 3x, so
``--mode phases`` wraps the stages of ``compile_record`` with timers instead and reports their
share of the real elapsed time. ``--mode growth`` times the main process's two writes (a batch of
releases, a compiled chunk) and its waits for the worker over each tenth of the input, to show
what grows with the store. Each ingests into a fresh SQLite store in ``--workdir``.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import resource
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import make_inputs  # noqa: E402


def fresh_store(work: Path, releases: int) -> Any:
    from tenderlens.store import Store  # noqa: PLC0415

    db = work / f"profile-{releases}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{db}.search", ignore_errors=True)  # the text index beside it, built again
    return Store.open(f"sqlite:///{db}")


def peak_rss_mb() -> str:
    """Peak RSS of this process and of its finished children (the compile workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"{own:.0f} MB (largest child {children:.0f} MB)"


def profile(work: Path, lines: Path, releases: int, top: int, workers: int | None) -> None:
    from tenderlens.ingest import ingest  # noqa: PLC0415

    store = fresh_store(work, releases)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    summary = ingest(store, [lines], workers=workers)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"cProfile: {summary.new} releases, {summary.records_compiled} records in {elapsed:.1f}s")
    out = work / f"ingest-{releases}.prof"
    profiler.dump_stats(out)
    print(f"stats: {out}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def timed_into(spent: dict[str, float], name: str, function: Any) -> Any:
    """``function``, adding the seconds of each call to ``spent[name]``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return wrapper


def phases(work: Path, lines: Path, releases: int, workers: int | None) -> None:
    from tenderlens import ingest as ingest_module  # noqa: PLC0415
    from tenderlens import records  # noqa: PLC0415
    from tenderlens.store import Store, compiling  # noqa: PLC0415

    spent: dict[str, float] = defaultdict(float)

    timed = functools.partial(timed_into, spent)

    # compile_record looks these up in its module's globals at call time.
    records._merge = timed("merge (whole history)", records._merge)  # noqa: SLF001
    records.extend_compiled = timed("merge (extend the stored record)", records.extend_compiled)  # type: ignore[attr-defined]
    listing = records.listing_from_facts  # type: ignore[attr-defined]
    records.listing_from_facts = timed("listing (listed facts + search document)", listing)  # type: ignore[attr-defined]
    if not workers:  # a worker is sent compile_record by name, so it must stay the real one
        ingest_module.compile_record = timed("compile_record (all)", ingest_module.compile_record)  # type: ignore[attr-defined]
    ingest_module.incoming_release = timed(
        "incoming_release (dumps + sha256)", ingest_module.incoming_release
    )
    compiling.CompileSession.finish = timed(  # type: ignore[method-assign]
        "compile_pending (load + compile + write)", compiling.CompileSession.finish
    )
    compiling.CompileSession.offer = timed(  # type: ignore[method-assign]
        "compile while reading (offer)", compiling.CompileSession.offer
    )
    # This process's writes, and the text index at the end.
    Store.write_releases = timed("write_releases (this process)", Store.write_releases)  # type: ignore[method-assign]
    Store._write_compiled = timed(  # type: ignore[method-assign]  # noqa: SLF001
        "write compiled records + search rows (this process)",
        Store._write_compiled,  # noqa: SLF001
    )
    ingest_module.sync_search_index = timed("text index sync (this process)", ingest_module.sync_search_index)

    store = fresh_store(work, releases)
    started = time.perf_counter()
    summary = ingest_module.ingest(store, [lines], workers=workers)
    elapsed = time.perf_counter() - started
    print(f"phases: {summary.new} releases, {summary.records_compiled} records in {elapsed:.1f}s")
    print(f"  {summary.new / elapsed:,.0f} releases/s; workers {workers}, peak RSS {peak_rss_mb()}")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"  CPU: this process {own.ru_utime + own.ru_stime:.1f}s, "
        f"compile workers {children.ru_utime + children.ru_stime:.1f}s"
    )
    if workers:
        print("  (with workers, the compile_record timers below see only this process: none)")
    before = (
        elapsed - spent["compile_pending (load + compile + write)"] - spent["compile while reading (offer)"]
    )
    print(f"  {'read + store (less compile while reading)':<55} {before:7.2f}s  {before / elapsed:6.1%}")
    for name in sorted(spent, key=lambda n: -spent[n]):
        print(f"  {name:<55} {spent[name]:7.2f}s  {spent[name] / elapsed:6.1%}")


def recompile(work: Path, lines: Path, releases: int) -> None:
    """One new release for every process with two or more: extend the stored record vs merge all."""
    import orjson  # noqa: PLC0415
    from sqlalchemy import update  # noqa: PLC0415

    from tenderlens.ingest import ingest  # noqa: PLC0415
    from tenderlens.store.schema import records  # noqa: PLC0415

    by_ocid: dict[str, list[bytes]] = defaultdict(list)
    with lines.open("rb") as handle:
        for line in handle:
            by_ocid[orjson.loads(line)["ocid"]].append(line)
    earlier, newest = work / "recompile-earlier.jsonl", work / "recompile-newest.jsonl"
    with earlier.open("wb") as first, newest.open("wb") as last:
        for history in by_ocid.values():
            first.writelines(history[:-1] if len(history) > 1 else history)
            if len(history) > 1:
                last.write(history[-1])
    for label in ("extend the stored record", "merge the whole history"):
        store = fresh_store(work, releases)
        ingest(store, [earlier], workers=0)
        if label == "merge the whole history":
            with store.writing() as conn:
                conn.execute(update(records).values(merged_seq=None))
        started, cpu = time.perf_counter(), time.process_time()
        summary = ingest(store, [newest], workers=0)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{label}: {summary.new} new releases, {summary.records_compiled} records "
            f"recompiled in {elapsed:.2f}s, CPU {cpu:.2f}s ({summary.new / cpu:,.0f} releases per CPU second)"
        )
        store.close()


def growth(work: Path, lines: Path, releases: int, workers: int | None) -> None:
    """Per tenth of the input: seconds, and the main process's seconds writing and waiting in it."""
    from concurrent.futures import Future  # noqa: PLC0415

    from tenderlens.ingest import ingest  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415

    spent: dict[str, float] = defaultdict(float)
    step = max(1, releases // 10)
    stored = 0
    mark = time.perf_counter()
    header = f"{'releases':>10} {'seconds':>8} {'releases':>9} {'chunks':>7} {'waits':>6}"
    print(f"{header}  (the last three: the main process's seconds writing them, waiting for the worker)")

    timed = functools.partial(timed_into, spent)

    write_releases = timed("releases", Store.write_releases)

    def counting(self: Any, batch: Any) -> Any:
        nonlocal stored, mark
        outcomes = write_releases(self, batch)
        before, stored = stored, stored + len(batch)
        if stored // step > before // step:
            now = time.perf_counter()
            row = f"{stored:>10,} {now - mark:>8.1f} {spent['releases']:>9.1f} {spent['chunks']:>7.1f}"
            print(f"{row} {spent['waits']:>6.1f}", flush=True)
            mark = now
            spent.clear()
        return outcomes

    originals = (Store.write_releases, Store._write_compiled, Future.result)  # noqa: SLF001
    Store.write_releases = counting  # type: ignore[method-assign]
    Store._write_compiled = timed("chunks", Store._write_compiled)  # type: ignore[method-assign] # noqa: SLF001
    Future.result = timed("waits", Future.result)  # type: ignore[method-assign]
    try:
        store = fresh_store(work, releases)
        started = time.perf_counter()
        summary = ingest(store, [lines], workers=workers)
        store.close()
    finally:
        Store.write_releases, Store._write_compiled, Future.result = originals  # type: ignore[method-assign] # noqa: SLF001
    elapsed = time.perf_counter() - started
    print(f"{summary.new:,} releases, {summary.records_compiled:,} records in {elapsed:.1f}s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--releases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=("cprofile", "phases", "recompile", "growth"), default="cprofile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="compile processes (default 0: all in this process, so it is seen)",
    )
    workdir = "/tmp/tenderlens-bench"  # noqa: S108 - scratch space for generated inputs and stores
    parser.add_argument("--workdir", default=workdir)
    args = parser.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    lines = make_inputs(work, args.releases, args.seed)
    if args.mode == "cprofile":
        profile(work, lines, args.releases, args.top, args.workers)
    elif args.mode == "recompile":
        recompile(work, lines, args.releases)
    elif args.mode == "growth":
        growth(work, lines, args.releases, args.workers)
    else:
        phases(work, lines, args.releases, args.workers)


if __name__ == "__main__":
    main()
