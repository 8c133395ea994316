"""The compile worker's parts, per record, on the records of an ingested SQLite store.

    python benchmarks/worker_parts.py /tmp/tenderlens-bench/store-100000.sqlite
    python benchmarks/worker_parts.py STORE --records 5000 --levels 1,3

Times, on the first ``--records`` records (after a warm-up on a tenth of them): the listing
and search document (``listing_from_facts`` on the stored compiled release and listing facts),
the whole compile of a chunk as the worker does it for a full recompile (``compile_loaded`` on
each record's stored releases: parse, merge, listing, serialise and pack), and packing the
stored documents at each zstd level asked for. It reads the store and writes nothing. Which
modules ran compiled by mypyc is printed first (``TENDERLENS_PURE_PYTHON=1``: all from source).
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import time
from typing import Any

import orjson
import zstandard

from tenderlens.compiled import COMPILED, is_compiled
from tenderlens.records import compile_record
from tenderlens.reference import default_reference
from tenderlens.search.listing import ReleaseFacts, listing_from_facts
from tenderlens.store.compiling import PendingOcid, compile_loaded
from tenderlens.store.documents import parsed


def _per_record(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e6:8.1f} µs a record"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("store", help="an ingested SQLite store (a path)")
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--levels", default="1,3", help="zstd levels to pack the documents at")
    args = parser.parse_args()

    compiled = [name for name in COMPILED if is_compiled(importlib.import_module(name))]
    print(f"compiled by mypyc: {len(compiled)} of {len(COMPILED)} modules ({', '.join(compiled) or 'none'})")

    db = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT ocid, compiled, versioned, history, source FROM records WHERE history IS NOT NULL LIMIT ?",
        (args.records,),
    ).fetchall()
    db.close()
    if not rows:
        raise SystemExit(f"{args.store}: no compiled records with listing facts")
    reference = default_reference()
    listed: list[tuple[Any, list[ReleaseFacts | None], str]] = [
        (parsed(stored), [ReleaseFacts.from_json(entry) for entry in orjson.loads(history)], source)
        for _, stored, _, history, source in rows
    ]
    warm = max(1, len(listed) // 10)
    for compiled_release, facts, source in listed[:warm]:
        listing_from_facts(compiled_release, facts, reference, source)
    started = time.perf_counter()
    for compiled_release, facts, source in listed:
        listing_from_facts(compiled_release, facts, reference, source)
    print(f"listing and search document   {_per_record(time.perf_counter() - started, len(listed))}")

    # Each record's whole history, as a full recompile loads it (no stored base to extend).
    db = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True)
    histories: dict[str, list[tuple[str, int]]] = {ocid: [] for ocid, *_ in rows}
    marks = ",".join("?" * len(histories))
    query = f"SELECT ocid, data, ingest_seq FROM releases WHERE ocid IN ({marks})"  # noqa: S608 - marks only
    for ocid, data, seq in db.execute(query, list(histories)):
        histories[ocid].append((data, seq))
    db.close()
    pending = [PendingOcid(ocid, tuple(found), None) for ocid, found in histories.items() if found]
    compile_loaded(compile_record, pending[:warm], packed=True)
    started = time.perf_counter()
    compile_loaded(compile_record, pending, packed=True)
    print(f"compile (the worker's chunk)  {_per_record(time.perf_counter() - started, len(pending))}")

    documents = [orjson.dumps(parsed(stored)) for _, stored, *_ in rows]
    documents += [orjson.dumps(parsed(stored)) for _, _, stored, *_ in rows if stored is not None]
    size = sum(map(len, documents))
    for level in (int(found) for found in args.levels.split(",")):
        compressor = zstandard.ZstdCompressor(level=level)
        started = time.perf_counter()
        packed = [compressor.compress(document) for document in documents]
        seconds = time.perf_counter() - started
        ratio = size / sum(map(len, packed))
        print(
            f"pack at zstd level {level:<3}        {seconds / len(documents) * 1e6:8.1f} µs a document "
            f"(ratio {ratio:.2f}, {len(documents)} documents of {size / len(documents) / 1000:.1f} KB)"
        )


if __name__ == "__main__":
    main()
