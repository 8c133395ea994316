# ruff: noqa: S311  (a seeded generator, not cryptography; a script that prints)
"""A search index of N realistic notices, written straight through ``write_documents``.

The full ingest (parse → store → compile → index) is still far too slow to build 1M notices
for a search benchmark, so this writes :class:`SearchDocument` values drawn from
``generate.py``'s vocabulary and distributions (titles from subjects, kinds and buyers;
descriptions from its word list; 1-3 CPV codes; ITL regions; values; dates 2021-2027;
notice types and statuses by stage) into an empty store, in the same transaction-per-batch
shape the compile step uses. Deterministic for a given ``--seed`` and ``--notices``.

    python benchmarks/search_corpus.py --notices 100000 --db /tmp/search-100k.sqlite
    python benchmarks/search_corpus.py --notices 100000 --db postgresql+psycopg://postgres@127.0.0.1:5432/search
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate as gen  # the benchmark generator's word lists

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.search.document import SearchDocument, SearchText
from tenderlens.search.index import write_documents
# isort: on

if TYPE_CHECKING:
    from collections.abc import Iterator

BATCH = 1000
EPOCH = datetime(2021, 1, 1, tzinfo=UTC)
# stage → (notice type, its name, tender status, status words, weight)
STAGES = {
    "planning": ("UK2", "Preliminary market engagement notice", "planned", "Planned", 15),
    "tender": ("UK4", "Tender notice", "active", "Open for bids", 25),
    "award": ("UK6", "Contract award notice", "complete", "Complete", 25),
    "contract": ("UK7", "Contract details notice", "complete", "Complete", 25),
    "implementation": ("UK10", "Contract change notice", "complete", "Complete", 10),
}
REGION_NAMES = {code: f"ITL3 {code}" for code in gen.NUTS}


_WORD = re.compile(r"[^\W_]+")


def words(*parts: str) -> str:
    """``index_text`` for the generator's plain-ASCII text, 20x faster (no accents to remove)."""
    return " ".join(_WORD.findall(" ".join(parts).lower()))


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def itl(nuts: str) -> str:
    """NUTS 2021 ``UKC11`` → ITL ``TLC11`` (the codes the generator uses map one to one)."""
    return "TL" + nuts[2:]


def document(rng: random.Random, number: int) -> SearchDocument:
    """One notice, drawn the way ``generate.Process`` draws a contracting process."""
    ocid = f"{gen.PREFIX}-{number:07x}"
    place = rng.choice(gen.PLACES)
    buyer_name = f"{place} {rng.choice(gen.BUYER_KINDS)}"
    buyer_key = f"GB-PPON-{rng.randrange(16**4):04X}-{number % 4999:04d}"
    subject = rng.choice(gen.SUBJECTS)
    title = f"{subject.capitalize()} {rng.choice(gen.KINDS)} for {buyer_name}"
    description = gen._text(rng, 40, 80)  # noqa: SLF001 - the generator's own text
    cpv = rng.sample(gen.CPV, k=rng.randint(1, 3))
    region = rng.choice(gen.NUTS)
    delivery = rng.choice(gen.NUTS) if rng.random() < 0.3 else region
    lots = [
        (f"Lot {i + 1}: {gen.LOT_NAMES[i]} {subject}", gen._text(rng, 15, 30))  # noqa: SLF001
        for i in range(rng.choice([1, 1, 1, 2, 3, 4]))
    ]
    stage = rng.choices(list(STAGES), weights=[s[4] for s in STAGES.values()])[0]
    notice_type, type_name, status, status_words, _ = STAGES[stage]
    start = EPOCH + timedelta(seconds=rng.randrange(6 * 365 * 86400))
    value = round(
        rng.choice([8_500, 45_000, 120_000, 750_000, 2_400_000, 18_000_000]) * rng.uniform(0.6, 1.6), 2
    )
    has_value = rng.random() < 0.9
    deadline = start + timedelta(days=40) if stage != "planning" else None
    future = start + timedelta(days=60) if stage == "planning" else None
    contract_end = start + timedelta(days=120 + 365 * 3) if stage in {"contract", "implementation"} else None
    awarded = stage in {"award", "contract", "implementation"}
    suppliers = [
        f"{rng.choice(gen.PLACES)} {rng.choice(['Services', 'Group', 'Facilities'])} Ltd" for _ in lots
    ]
    terms = sorted(
        {("cpv", code, label) for code, label in cpv}
        | {("buyer_region", itl(region), REGION_NAMES[region])}
        | {("delivery_region", itl(delivery), REGION_NAMES[delivery])}
    )
    return SearchDocument(
        ocid=ocid,
        source=rng.choices(["fts", "contracts-finder", "other"], weights=[60, 38, 2])[0],
        notice_type=notice_type,
        notice_type_name=type_name,
        stage=stage,
        status=status,
        status_words=status_words,
        title=title,
        excerpt=description[:280],
        buyer_key=buyer_key,
        buyer_name=buyer_name,
        sme=rng.choice([1, 0, None]) == 1 if rng.random() < 0.8 else None,
        vcse=rng.random() < 0.3 if rng.random() < 0.7 else None,
        value_amount=value if has_value else None,
        value_currency="GBP" if has_value else None,
        value_text=f"£{value:,.0f}" if has_value else None,
        published=utc(start),
        updated=utc(start + timedelta(days=rng.randint(0, 200))),
        deadline=utc(deadline) if deadline else None,
        future_notice=utc(future) if future else None,
        contract_end=utc(contract_end) if contract_end else None,
        award_date=utc(start + timedelta(days=80)) if awarded else None,
        award_value=round(value * rng.uniform(0.8, 1.05), 2) if awarded and has_value else None,
        published_raw=utc(start),
        deadline_raw=utc(deadline) if deadline else None,
        future_notice_raw=utc(future) if future else None,
        contract_end_raw=utc(contract_end) if contract_end else None,
        text=SearchText(
            title=words(title),
            description=words(description),
            lots=words(*(part for lot in lots for part in lot)),
            items=words(*(label for _, label in cpv)),
            buyer=words(buyer_name),
            other=words(ocid, ocid[-7:], *suppliers),
        ),
        terms=tuple(terms),
    )


def documents(notices: int, seed: int) -> Iterator[SearchDocument]:
    rng = random.Random(seed)
    for number in range(notices):
        yield document(rng, 0x1000000 + number)


def url_of(db: str) -> str:
    return db if "://" in db else f"sqlite:///{db}"


def build(db: str, notices: int, seed: int) -> float:
    """Write the corpus into an empty store; returns the seconds it took."""
    started = time.perf_counter()
    with Store.open(url_of(db)) as store:
        batch: list[SearchDocument] = []
        written = 0
        for doc in documents(notices, seed):
            batch.append(doc)
            if len(batch) == BATCH:
                with store.engine.begin() as conn:
                    write_documents(conn, batch)
                written += len(batch)
                batch = []
                if written % 50_000 == 0:
                    print(f"  {written:,} notices, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if batch:
            with store.engine.begin() as conn:
                write_documents(conn, batch)
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE search_index")
                conn.exec_driver_sql("ANALYZE search_terms")
                conn.commit()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL (must be empty)")
    args = parser.parse_args(argv)
    seconds = build(args.db, args.notices, args.seed)
    print(
        f"{args.notices:,} notices written to {args.db} in {seconds:.1f} s ({args.notices / seconds:,.0f}/s)"
    )


if __name__ == "__main__":
    main()
