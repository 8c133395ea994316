"""A buyer's notices from the search index: who it is, its pipeline, and its activity per quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from tenderlens.search.run import HIT_COLUMNS, Hit, hit_from_row, time_limited, utc_iso
from tenderlens.search.tables import search_index

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Engine

PIPELINE_LIMIT = 25
ENDING_WITHIN_DAYS = 730


@dataclass(frozen=True, slots=True)
class Quarter:
    label: str  # "2026 Q2"
    notices: int
    awarded: float


@dataclass(frozen=True, slots=True)
class BuyerOverview:
    key: str
    name: str | None
    notices: int
    upcoming_notices: tuple[Hit, ...]  # a future notice date ahead of now
    contracts_ending: tuple[Hit, ...]  # a contract period ending within two years
    open_for_bids: tuple[Hit, ...]  # a submission deadline ahead of now
    quarters: tuple[Quarter, ...]


def _quarter(instant: str) -> str | None:
    try:
        moment = datetime.fromisoformat(instant)
    except ValueError:
        return None
    return f"{moment.year} Q{(moment.month - 1) // 3 + 1}"


def _quarters(rows: list[tuple[str | None, str | None, float | None]]) -> tuple[Quarter, ...]:
    """Every quarter from the first to the last with any activity (empty quarters included)."""
    notices: dict[str, int] = {}
    awarded: dict[str, float] = {}
    for published, award_date, award_value in rows:
        if published and (label := _quarter(published)):
            notices[label] = notices.get(label, 0) + 1
        if award_date and award_value and (label := _quarter(award_date)):
            awarded[label] = awarded.get(label, 0.0) + award_value
    labels = sorted({*notices, *awarded})
    if not labels:
        return ()
    first_year, first_q = int(labels[0][:4]), int(labels[0][-1])
    last_year, last_q = int(labels[-1][:4]), int(labels[-1][-1])
    out = []
    year, q = first_year, first_q
    while (year, q) <= (last_year, last_q):
        label = f"{year} Q{q}"
        out.append(Quarter(label, notices.get(label, 0), awarded.get(label, 0.0)))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return tuple(out[-40:])  # ten years at most


def buyer_overview(engine: Engine, key: str, now: datetime) -> BuyerOverview | None:
    """What the index knows about one buyer; None if no notice has this buyer key."""
    c = search_index.c
    start = utc_iso(now)
    with engine.connect() as conn, time_limited(conn):
        rows = [
            (published, award_date, award_value)
            for published, award_date, award_value in conn.execute(
                select(c.published, c.award_date, c.award_value).where(c.buyer_key == key)
            )
        ]
        if not rows:
            return None
        name = conn.execute(
            select(c.buyer_name)
            .where(c.buyer_key == key, c.buyer_name.is_not(None))
            .order_by(c.updated.desc().nulls_last())
            .limit(1)
        ).scalar()

        def hits(*where: ColumnElement[bool], order: ColumnElement[Any]) -> tuple[Hit, ...]:
            stmt = (
                select(*HIT_COLUMNS).where(c.buyer_key == key, *where).order_by(order).limit(PIPELINE_LIMIT)
            )
            return tuple(hit_from_row(row) for row in conn.execute(stmt))

        upcoming = hits(c.future_notice >= start, order=c.future_notice.asc())
        ending = hits(
            c.contract_end >= start,
            c.contract_end <= utc_iso(now + timedelta(days=ENDING_WITHIN_DAYS)),
            order=c.contract_end.asc(),
        )
        open_now = hits(c.deadline >= start, order=c.deadline.asc())
        count = int(conn.execute(select(func.count()).where(c.buyer_key == key)).scalar_one())
    return BuyerOverview(
        key=key,
        name=name,
        notices=count,
        upcoming_notices=upcoming,
        contracts_ending=ending,
        open_for_bids=open_now,
        quarters=_quarters(rows),
    )
