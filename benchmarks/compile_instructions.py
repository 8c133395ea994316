"""The compile worker's work on N releases, counted in instructions: an A/B a noisy machine keeps.

Ingests N generated releases, marks every record for a full recompile and loads the pending
ocids as a worker does; with ``--compile`` it then compiles them as the worker's chunks are
compiled (parse, merge, listing and search document, serialise and pack). Run under callgrind twice,
with and without ``--compile``; the difference of the two totals is the compile alone:

    export PYTHONHASHSEED=0
    valgrind --tool=callgrind .venv/bin/python benchmarks/compile_instructions.py 2000
    valgrind --tool=callgrind .venv/bin/python benchmarks/compile_instructions.py 2000 --compile

(``PYTHONHASHSEED=0``: string hashing is randomised per process otherwise, which moves the
totals by a few million.)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate

from tenderlens.ingest import ingest
from tenderlens.records import compile_record
from tenderlens.store import Store
from tenderlens.store.compiling import compile_chunk

CHUNK = 500  # as Store.compiling hands chunks to the worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("releases", type=int, help="releases to generate (whole ocids)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compile", action="store_true", help="then compile them as a worker does")
    args = parser.parse_args()
    releases = list(generate(args.releases, seed=args.seed))
    ocids = sorted({release["ocid"] for release in releases})
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "releases.jsonl"
        lines.write_bytes(b"".join(orjson.dumps(release) + b"\n" for release in releases))
        store = Store.open(f"sqlite:///{tmp}/store.sqlite")
        try:
            ingest(store, [lines], workers=0)
            store.mark_all_pending()
            pending = store.load_pending(ocids)
            loaded = sum(len(item.releases) for item in pending)
            assert loaded == len(releases), (loaded, len(releases))  # a full recompile: every release
            if args.compile:
                for start in range(0, len(pending), CHUNK):
                    compile_chunk(
                        compile_record, pending[start : start + CHUNK], packed=store.packs_documents
                    )
        finally:
            store.close()
    print(f"{len(releases)} releases, {len(ocids)} ocids{', compiled' if args.compile else ''}")


if __name__ == "__main__":
    main()
