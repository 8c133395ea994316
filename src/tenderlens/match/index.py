"""Reading notices' facts from the search index (SQLAlchemy Core; the same SQL on both backends)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import and_, or_, select

from tenderlens.match.facts import Labelled, NoticeFacts
from tenderlens.search.tables import search_index, search_terms

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import Connection

CHUNK: Final = 500  # ocids per IN (...) list
SIMILAR_CANDIDATES: Final = 300  # notices sharing a term that are scored for "similar notices"
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


def load_facts(conn: Connection, ocids: Iterable[str]) -> dict[str, NoticeFacts]:
    """The facts of each ocid that is in the index (others are left out), in chunks."""
    wanted = list(dict.fromkeys(ocids))
    found: dict[str, NoticeFacts] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        terms: dict[str, dict[str, list[Labelled]]] = {}
        rows = conn.execute(
            select(search_terms.c.ocid, search_terms.c.facet, search_terms.c.value, search_terms.c.label)
            .where(search_terms.c.ocid.in_(chunk))
            .order_by(search_terms.c.ocid, search_terms.c.facet, search_terms.c.value)
        )
        for ocid, facet, value, label in rows:
            terms.setdefault(ocid, {}).setdefault(facet, []).append(Labelled(value, label))
        for row in conn.execute(select(*COLUMNS).where(search_index.c.ocid.in_(chunk))):
            mine = terms.get(row.ocid, {})
            found[row.ocid] = NoticeFacts(
                ocid=row.ocid,
                title=row.title or "",
                description=row.excerpt or "",
                buyer_key=row.buyer_key,
                buyer_name=row.buyer_name,
                cpv=tuple(mine.get("cpv", ())),
                buyer_regions=tuple(mine.get("buyer_region", ())),
                delivery_regions=tuple(mine.get("delivery_region", ())),
                value_amount=row.value_amount,
                value_currency=row.value_currency,
                sme=_flag(row.sme),
                vcse=_flag(row.vcse),
            )
    return {ocid: found[ocid] for ocid in wanted if ocid in found}


def similar_candidates(conn: Connection, facts: NoticeFacts, limit: int = SIMILAR_CANDIDATES) -> list[str]:
    """Other notices sharing a CPV class (4 digits), the buyer or a delivery region, newest first."""
    shared: list[Any] = []
    classes = sorted({code.code[:4] for code in facts.cpv})
    if classes:
        shared.append(
            and_(
                search_terms.c.facet == "cpv",
                # Ranges, not substr(): the (facet, value) index answers them.
                or_(*(search_terms.c.value.between(prefix, prefix + "9999") for prefix in classes)),
            )
        )
    regions = sorted({place.code for place in facts.delivery_regions})
    if regions:
        shared.append(and_(search_terms.c.facet == "delivery_region", search_terms.c.value.in_(regions)))
    by_terms = select(search_terms.c.ocid).where(or_(*shared)) if shared else None
    conditions: list[Any] = []
    if by_terms is not None:
        conditions.append(search_index.c.ocid.in_(by_terms))
    if facts.buyer_key:
        conditions.append(search_index.c.buyer_key == facts.buyer_key)
    if not conditions:
        return []
    stmt = (
        select(search_index.c.ocid)
        .where(or_(*conditions), search_index.c.ocid != facts.ocid)
        .order_by(search_index.c.published.desc().nulls_last(), search_index.c.ocid)
        .limit(limit)
    )
    return [row.ocid for row in conn.execute(stmt)]
