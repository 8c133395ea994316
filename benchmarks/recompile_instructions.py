"""Ingest a long history, then (with ``--one-more``) one more release: an A/B of instructions.

Run under callgrind twice, with and without ``--one-more``; the difference of the two totals is
what the one release cost, in instructions, which a noisy machine does not change:

    valgrind --tool=callgrind .venv/bin/python benchmarks/recompile_instructions.py 256
    valgrind --tool=callgrind .venv/bin/python benchmarks/recompile_instructions.py 256 --one-more
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))

from generate import long_history

from tenderlens.ingest import ingest
from tenderlens.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=int, help="releases already stored for the ocid")
    parser.add_argument("--one-more", action="store_true", help="then ingest one more release")
    args = parser.parse_args()
    releases = list(long_history(args.history + 1, seed=1))
    with tempfile.TemporaryDirectory() as tmp:
        before, last = Path(tmp) / "history.jsonl", Path(tmp) / "new.jsonl"
        before.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in releases[:-1]))
        last.write_bytes(orjson.dumps(releases[-1]) + b"\n")
        store = Store.open(f"sqlite:///{tmp}/store.sqlite")
        try:
            ingest(store, [before], workers=0)
            if args.one_more:
                summary = ingest(store, [last], workers=0)
                assert summary.new == 1, summary
        finally:
            store.close()


if __name__ == "__main__":
    main()
