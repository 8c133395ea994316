"""Reading notices' facts from the search index (SQLAlchemy Core; the same SQL on both backends)."""

from __future__ import annotations

from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Text, bindparam, literal_column, select, union_all

from tenderlens.match.facts import Labelled, NoticeFacts
from tenderlens.match.similar import (
    CLASS_DIGITS,
    SAME_BUYER,
    SHARED_CLASS,
    SHARED_CODE,
    SHARED_CODES_CAP,
    SHARED_REGION,
)
from tenderlens.search.tables import search_index, search_terms

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import CompoundSelect, Connection, Select

CHUNK: Final = 500  # ocids per IN (...) list
SIMILAR_CANDIDATES: Final = 25  # of those found by shared keys, the best are scored in full
PER_KEY: Final = 20  # notices read per shared key (code, class, region, buyer)
KEYS: Final = 4  # at most this many codes, classes and regions of the notice are looked up
COLUMNS: Final = (
    search_index.c.ocid,
    search_index.c.title,
    search_index.c.excerpt,
    search_index.c.buyer_key,
    search_index.c.buyer_name,
    search_index.c.value_amount,
    search_index.c.value_currency,
    search_index.c.sme,
    search_index.c.vcse,
)


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _facts_query() -> Select[Any]:
    """The notices' rows joined to their terms, for an expanding ``ocids`` list.

    Built once (a module constant): building it per call, with a new ``IN (...)`` list each
    time, cost more than running it on a notice page.
    """
    t = search_terms.c
    return (
        select(*COLUMNS, t.facet, t.value, t.label)
        .select_from(search_index.outerjoin(search_terms, t.ocid == search_index.c.ocid))
        .where(search_index.c.ocid.in_(bindparam("ocids", expanding=True)))
        .order_by(search_index.c.ocid, t.facet, t.value)
    )


FACTS_QUERY: Final = _facts_query()


def load_facts(conn: Connection, ocids: Iterable[str]) -> dict[str, NoticeFacts]:
    """The facts of each ocid that is in the index (others are left out): one query per chunk.

    The notice's row joined to its terms, so a notice with n terms comes back as n rows
    (one, with no term, if it has none).
    """
    wanted = list(dict.fromkeys(ocids))
    found: dict[str, NoticeFacts] = {}
    if not wanted:
        return found
    for start in range(0, len(wanted), CHUNK):
        rows = conn.execute(FACTS_QUERY, {"ocids": wanted[start : start + CHUNK]}).all()
        for ocid, notice_rows in groupby(rows, key=itemgetter(0)):
            first, *rest = notice_rows
            terms: dict[str, list[Labelled]] = {}
            for *_, facet, value, label in (first, *rest):
                if facet is not None:
                    terms.setdefault(facet, []).append(Labelled(value, label))
            _, title, excerpt, buyer_key, buyer_name, amount, currency, sme, vcse, *_ = first
            found[ocid] = NoticeFacts(
                ocid=ocid,
                title=title or "",
                description=excerpt or "",
                buyer_key=buyer_key,
                buyer_name=buyer_name,
                cpv=tuple(terms.get("cpv", ())),
                buyer_regions=tuple(terms.get("buyer_region", ())),
                delivery_regions=tuple(terms.get("delivery_region", ())),
                value_amount=amount,
                value_currency=currency,
                sme=_flag(sme),
                vcse=_flag(vcse),
            )
    return {ocid: found[ocid] for ocid in wanted if ocid in found}


def _first(stmt: Select[Any], limit: int) -> Select[Any]:
    """A LIMITed branch of the candidates' UNION ALL (wrapped: a bare LIMIT may not go inside one)."""
    return select(stmt.limit(limit).subquery())


def _both_sides(stmt: Select[Any], ocid_column: Any, limit: int) -> list[Select[Any]]:
    """The ``limit`` ocids nearest the notice's (``:me``) in ocid order, half after, half before."""
    half = max(1, limit // 2)
    me = bindparam("me", type_=Text)
    return [
        _first(stmt.where(ocid_column > me).order_by(ocid_column), half),
        _first(stmt.where(ocid_column < me).order_by(ocid_column.desc()), half),
    ]


@lru_cache(maxsize=512)
def _shared_keys_query(
    codes: int, classes: int, regions: int, buyer: bool, per_key: int
) -> CompoundSelect[Any]:
    """The UNION ALL for a notice with so many keys of each kind, built once per shape.

    Values are bound parameters (``code0``, ``class0_low``, ...), so SQLAlchemy's compiled
    cache is hit too and a request pays for neither building nor compiling the statement.
    """
    t = search_terms.c
    branches: list[Select[Any]] = []
    for kind, facet, count in (("cpv", "cpv", codes), ("region", "delivery_region", regions)):
        for n in range(count):
            stmt = select(t.ocid, literal_column(f"'{kind}'").label("kind"), t.value).where(
                t.facet == facet, t.value == bindparam(f"{kind}{n}")
            )
            branches += _both_sides(stmt, t.ocid, per_key)
    for n in range(classes):
        stmt = select(
            t.ocid, literal_column("'class'").label("kind"), bindparam(f"class{n}", type_=Text).label("value")
        ).where(
            t.facet == "cpv",
            t.value.between(bindparam(f"class{n}_low"), bindparam(f"class{n}_high")),
            t.ocid != bindparam("me"),
        )
        branches.append(_first(stmt.order_by(t.value, t.ocid), per_key))
    if buyer:
        i = search_index.c
        stmt = select(i.ocid, literal_column("'buyer'").label("kind"), i.buyer_key.label("value")).where(
            i.buyer_key == bindparam("buyer")
        )
        branches += _both_sides(stmt, i.ocid, per_key)
    return union_all(*branches)


def shared_keys(conn: Connection, facts: NoticeFacts, per_key: int = PER_KEY) -> list[tuple[str, str, str]]:
    """(ocid, what it shares, the shared value) for notices sharing a key with this one, in one query.

    The keys are the notice's CPV codes, CPV classes (4 digits), delivery regions (up to
    ``KEYS`` of each, in code order) and its buyer. Each key gives at most ``per_key``
    notices, so the query reads a few hundred index rows whatever the store's size:
    for a code, a region or the buyer, the ocids nearest this one (half after, half before,
    in ocid order); for a class, the first in (code, ocid) order. Every branch is a range
    of an index: ``search_terms (facet, value, ocid)``, or ``search_index (buyer_key, ocid)``
    for the buyer (migration 0010), so a buyer with thousands of notices costs no more.
    """
    statement = shared_keys_statement(facts, per_key)
    if statement is None:
        return []
    query, params = statement
    # ``all()``: one fetch of the few hundred rows, not a fetch per row as iterating the result does.
    return [(row[0], row[1], row[2]) for row in conn.execute(query, params).all()]


def shared_keys_statement(
    facts: NoticeFacts, per_key: int = PER_KEY
) -> tuple[CompoundSelect[Any], dict[str, str]] | None:
    """The statement :func:`shared_keys` runs and its parameters (None: no key to share)."""
    codes = sorted({code.code for code in facts.cpv})[:KEYS]
    classes = sorted({code.code[:CLASS_DIGITS] for code in facts.cpv})[:KEYS]
    regions = sorted({place.code for place in facts.delivery_regions})[:KEYS]
    if not (codes or regions or facts.buyer_key):
        return None
    params: dict[str, str] = {"me": facts.ocid}
    params.update({f"cpv{n}": code for n, code in enumerate(codes)})
    params.update({f"region{n}": region for n, region in enumerate(regions)})
    for n, prefix in enumerate(classes):
        params.update({f"class{n}": prefix, f"class{n}_low": prefix, f"class{n}_high": prefix + "9999"})
    if facts.buyer_key:
        params["buyer"] = facts.buyer_key
    query = _shared_keys_query(len(codes), len(classes), len(regions), bool(facts.buyer_key), per_key)
    return query, params


def similar_candidates(conn: Connection, facts: NoticeFacts, limit: int = SIMILAR_CANDIDATES) -> list[str]:
    """The ``limit`` notices sharing most with this one (see :func:`shared_keys`), best first.

    Each is ranked by what the keys it was found by are worth in :mod:`tenderlens.match.similar`
    (shared codes, else the class; the buyer; a region), ties by ocid — so only these few
    have their facts read and are scored in full (title words and divisions included).
    """
    found: dict[str, dict[str, set[str]]] = {}
    for ocid, kind, value in shared_keys(conn, facts):
        if ocid != facts.ocid:
            found.setdefault(ocid, {}).setdefault(kind, set()).add(value)

    def worth(kinds: dict[str, set[str]]) -> float:
        codes = min(SHARED_CODE * len(kinds.get("cpv", ())), SHARED_CODES_CAP)
        return (
            (codes or (SHARED_CLASS if "class" in kinds else 0.0))
            + (SAME_BUYER if "buyer" in kinds else 0.0)
            + (SHARED_REGION if "region" in kinds else 0.0)
        )

    ranked = sorted(found, key=lambda ocid: (-worth(found[ocid]), ocid))
    return ranked[:limit]
