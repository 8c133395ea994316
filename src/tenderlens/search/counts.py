"""A request's filters as masks over a :class:`~tenderlens.search.columns.Snapshot`, and its counts.

The same semantics as the SQL in :mod:`tenderlens.search.run` (which stays the fallback and
the path for the text match): multi-valued filters match any of their values, different
filters must all match, and each facet's counts apply every filter but its own.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import numpy as np

from tenderlens.search import facets as facet_labels
from tenderlens.search.bits import pack, unpack, words_of
from tenderlens.search.columns import BANDS, NULL_TIME, TERM_LEVELS, start_of
from tenderlens.search.request import CLOSING_PRESETS, NONE, SearchRequest

if TYPE_CHECKING:
    from collections.abc import Callable

    from numpy.typing import NDArray

    from tenderlens.reference import Reference
    from tenderlens.search.columns import Mask, Snapshot, Vocabulary
    from tenderlens.search.facets import Facet

    Packed = Callable[[Mask], NDArray[np.uint64]]

YES_NO_CODES: Final = {"yes": 1, "no": 0}
BUYERS_SHOWN: Final = 15  # as facets.buyer's limit
MAX_TIES_SORTED: Final = 5_000  # more buyers tied at the edge than this: use the cached name order
NAME_ORDER_BLOCK: Final = 4_096  # codes of that order looked at a time
UK: Final = ZoneInfo("Europe/London")


def _single(snapshot: Snapshot, name: str, values: tuple[str, ...]) -> Mask:
    words = snapshot.vocab[name]
    codes = [words.codes[v] for v in values if v != NONE and v in words.codes]
    if NONE in values:
        codes.append(0)
    return np.isin(snapshot.single[name], np.array(codes, dtype=np.int32))


def _prefixes(snapshot: Snapshot, name: str, prefixes: tuple[str, ...]) -> Mask:
    """The notices with a value under any of ``prefixes``: from a level's bitmaps when it has them.

    ``np.isin`` over every (notice, value) pair took about 20 ms a filter at 1M notices; the
    OR of a few bitmaps and their unpacking takes about 1 ms.
    """
    from_bits = _prefixes_by_bits(snapshot, name, prefixes)
    if from_bits is not None:
        return from_bits
    terms = snapshot.terms[name]
    codes = [
        code
        for code, value in enumerate(terms.values.values)
        if value is not None and any(value.startswith(prefix) for prefix in prefixes)
    ]
    mask = np.zeros(len(snapshot.doc), dtype=np.bool_)
    hit = terms.alive & np.isin(terms.value, np.array(codes, dtype=np.int32))
    mask[terms.position[hit]] = True
    return mask


def _prefixes_by_bits(snapshot: Snapshot, name: str, prefixes: tuple[str, ...]) -> Mask | None:
    """:func:`_prefixes` as the OR of level bitmaps; None when a prefix is not a level with bitmaps."""
    terms = snapshot.terms[name]
    size = len(snapshot.doc)
    words = np.zeros(words_of(size), dtype="<u8")
    for prefix in prefixes:
        depth = next((depth for depth, level in enumerate(terms.levels) if level.size == len(prefix)), None)
        if depth is None:
            return None
        bits = snapshot.code_bits(f"{name}:{depth}")
        if bits is None:
            return None
        code = terms.levels[depth].prefixes.codes.get(prefix)
        if code is None:
            continue  # no notice has it
        if code >= len(bits.words):
            return None
        words |= bits.words[code]
    return unpack(words, size)


def _uk_midnight_seconds(day: date) -> int:
    """Midnight in the UK on ``day``, in seconds: the bound run.py's SQL compares as text."""
    return start_of(datetime.combine(day, time(0), tzinfo=UK))


def filter_masks(snapshot: Snapshot, request: SearchRequest, now: datetime) -> dict[str, Mask]:
    """One mask per active filter, keyed by the facet it belongs to (dates: ``published``)."""
    masks: dict[str, Mask] = {}
    for name in ("notice_type", "stage", "status", "buyer", "source"):
        values = getattr(request, name)
        if values:
            masks[name] = _single(snapshot, name, values)
    for name in TERM_LEVELS:
        values = getattr(request, name)
        if values:
            masks[name] = _prefixes(snapshot, name, values)
    for name in ("sme", "vcse"):
        value = getattr(request, name)
        if value is not None:
            masks[name] = getattr(snapshot, name) == YES_NO_CODES[value]
    if request.value:
        masks["value"] = np.isin(
            snapshot.band, np.array([BANDS.index(v) for v in request.value], dtype=np.int8)
        )
    published = snapshot.published
    dated = published != NULL_TIME
    if request.published_from or request.published_to:
        within = dated.copy()
        if request.published_from:
            within &= published >= _uk_midnight_seconds(request.published_from)
        if request.published_to:
            within &= published < _uk_midnight_seconds(request.published_to + timedelta(days=1))
        masks["published"] = within
    if request.closing_within is not None:
        deadline = snapshot.deadline
        masks["closing_within"] = (
            (deadline != NULL_TIME)
            & (deadline >= start_of(now))
            & (deadline <= start_of(now + timedelta(days=request.closing_within)))
        )
    return masks


def combined(base: Mask, masks: dict[str, Mask], skip: str | None = None) -> Mask:
    out = base.copy()
    for name, mask in masks.items():
        if name != skip:
            out &= mask
    return out


def _code_counts(  # noqa: PLR0917 - a facet, its codes and the mask
    snapshot: Snapshot, key: str, codes: NDArray[Any], count: int, mask: Mask, packed: Packed
) -> NDArray[np.int64]:
    """How many positions in ``mask`` have each code of ``codes``: by bitmaps when the facet has few."""
    bits = snapshot.code_bits(key)
    if bits is not None:
        return bits.counts(packed(mask))
    return np.bincount(codes[np.flatnonzero(mask)], minlength=count)


def _grouped(snapshot: Snapshot, name: str, mask: Mask, packed: Packed) -> list[tuple[str, str | None, int]]:
    words = snapshot.vocab[name]
    counts = _code_counts(snapshot, name, snapshot.single[name], len(words.values), mask, packed)
    return [
        (NONE if words.values[code] is None else str(words.values[code]), words.labels[code], int(n))
        for code in np.flatnonzero(counts)
        for n in (counts[code],)
    ]


def _yes_no_rows(
    snapshot: Snapshot, name: str, mask: Mask, packed: Packed
) -> list[tuple[str, str | None, int]]:
    values: NDArray[np.int8] = getattr(snapshot, name)
    counts = _code_counts(snapshot, name, values.astype(np.int64) + 1, 3, mask, packed)  # -1 (NULL), 0, 1
    names = {0: NONE, 1: "0", 2: "1"}
    return [(names[code], names[code], int(counts[code])) for code in (0, 1, 2) if counts[code]]


def _term_counts(
    snapshot: Snapshot,
    name: str,
    selected: tuple[str, ...],
    mask: Mask,
    packed: Packed,
    *,
    skip_group_zero: bool,
) -> list[facet_labels.TermCount]:
    """As run.py's SQL: the top level, then the levels under each selected prefix."""
    terms = snapshot.terms[name]
    sizes = tuple(level.size for level in terms.levels)
    found: list[facet_labels.TermCount] = []
    matched: Mask | None = None
    for depth, level in enumerate(terms.levels, start=1):
        allowed = None
        if depth > 1:
            parent_size = sizes[depth - 2]
            parents = {v[:parent_size] for v in selected if len(v) >= parent_size}
            if not parents:
                break
            allowed = parents
        bits = snapshot.code_bits(f"{name}:{depth - 1}")
        if bits is not None:
            counts = bits.counts(packed(mask))
        else:
            if matched is None:
                matched = mask[terms.position]
            counts = np.bincount(level.code[level.first & matched], minlength=len(level.prefixes.values))
        last = depth == len(terms.levels)
        labels = terms.values.prefix_labels(level.size) if last else {}
        for found_code in np.flatnonzero(counts):
            found_prefix = level.prefixes.values[found_code]
            assert found_prefix is not None
            prefix = found_prefix
            code = int(found_code)
            if allowed is not None and prefix[: sizes[depth - 2]] not in allowed:
                continue
            if skip_group_zero and depth == 2 and prefix[level.size - 1] == "0":
                continue
            found.append(
                facet_labels.TermCount(prefix, int(counts[code]), depth, labels.get(prefix) if last else None)
            )
    return found


def kth_largest(counts: NDArray[np.int64], k: int) -> int:
    """The ``k``-th largest of ``counts`` (non-negative, ``k`` ≤ their number), as ``np.partition`` gives.

    By a histogram of the counts: they are small (notices per buyer), and a partition of a
    million of them was the slowest step of the buyer facet.
    """
    histogram = np.bincount(counts)
    at_least = np.cumsum(histogram[::-1])[::-1]  # at_least[v]: how many counts are >= v
    return int(np.flatnonzero(at_least >= k)[-1])


def _first_in_name_order(words: Vocabulary, keep: NDArray[np.bool_], wanted: int) -> NDArray[np.int64]:
    """The first ``wanted`` codes that ``keep`` marks, in the vocabulary's (label, value) order.

    Walks the cached order a block at a time. With many buyers tied at the edge (one notice
    each, at 1.5M notices) the first block holds them; partitioning all their ranks took 16 ms.
    """
    order = words.name_order()
    found: list[NDArray[np.int64]] = []
    for start in range(0, len(order), NAME_ORDER_BLOCK):
        block = order[start : start + NAME_ORDER_BLOCK]
        found.append(block[keep[block]][:wanted])
        wanted -= len(found[-1])
        if wanted <= 0:
            break
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def _top_buyers(snapshot: Snapshot, request: SearchRequest, mask: Mask) -> list[tuple[str, str | None, int]]:
    """The rows ``facets.buyer`` shows, in its order: the top BUYERS_SHOWN, then any chosen ones.

    Sorting every buyer (a million at 1M notices) is what made this facet slow; only the
    buyers at or above the last shown count can be shown, and only ties at that count need
    the (name, key) order.
    """
    words = snapshot.vocab["buyer"]
    counts = np.bincount(snapshot.single["buyer"][np.flatnonzero(mask)], minlength=len(words.values))
    counts[0] = 0  # "not stated" is never listed
    present = np.flatnonzero(counts)
    chosen = {words.codes[v] for v in request.buyer if v in words.codes}
    if len(present) > BUYERS_SHOWN:
        edge = kth_largest(counts[present], BUYERS_SHOWN)
        above = present[counts[present] > edge]
        tied = present[counts[present] == edge]
        if len(tied) > MAX_TIES_SORTED:
            tied = _first_in_name_order(words, counts == edge, BUYERS_SHOWN - len(above))
        picked = {int(code) for code in (*above, *tied)} | {code for code in chosen if counts[code]}
    else:
        picked = {int(code) for code in present}
    rows = [(str(words.values[code]), words.labels[code], int(counts[code])) for code in picked]
    rows.sort(key=facet_labels.buyer_order)
    top = rows[:BUYERS_SHOWN]
    return top + [row for row in rows[BUYERS_SHOWN:] if words.codes[row[0]] in chosen]


def facet_counts(
    snapshot: Snapshot,
    request: SearchRequest,
    now: datetime,
    base: Mask,
    masks: dict[str, Mask],
    *,
    reference: Reference | None,
) -> tuple[Facet, ...]:
    """The same facets, in the same order, as run.py's SQL ``_facets``.

    Each facet's mask leaves out only its own filter, so facets without an active filter all
    share one mask; it is combined and packed once.
    """
    masks_of: dict[str | None, Mask] = {}
    packed_of: dict[int, NDArray[np.uint64]] = {}

    def without(name: str) -> Mask:
        key = name if name in masks else None
        found = masks_of.get(key)
        if found is None:
            found = masks_of[key] = combined(base, masks, skip=key)
        return found

    def packed(mask: Mask) -> NDArray[np.uint64]:
        found = packed_of.get(id(mask))
        if found is None:
            found = packed_of[id(mask)] = pack(mask)
        return found

    out: list[Facet] = []
    for name, labelled in (
        ("notice_type", facet_labels.notice_type),
        ("stage", facet_labels.stage),
        ("status", facet_labels.status),
    ):
        out.append(labelled(_grouped(snapshot, name, without(name), packed), request))
    cpv = _term_counts(snapshot, "cpv", request.cpv, without("cpv"), packed, skip_group_zero=True)
    out.append(facet_labels.cpv(cpv, request, reference))
    out.append(facet_labels.buyer(_top_buyers(snapshot, request, without("buyer")), request))
    for name, title in (("buyer_region", "Buyer region"), ("delivery_region", "Delivery region")):
        counts = _term_counts(
            snapshot, name, getattr(request, name), without(name), packed, skip_group_zero=False
        )
        out.append(facet_labels.region(name, title, counts, request))
    out.append(
        facet_labels.yes_no(
            "sme", "Suitable for SMEs", _yes_no_rows(snapshot, "sme", without("sme"), packed), request
        )
    )
    out.append(
        facet_labels.yes_no(
            "vcse", "Suitable for VCSEs", _yes_no_rows(snapshot, "vcse", without("vcse"), packed), request
        )
    )
    band_counts = _code_counts(snapshot, "band", snapshot.band, len(BANDS), without("value"), packed)
    out.append(
        facet_labels.value(
            [(BANDS[i], None, int(band_counts[i])) for i in np.flatnonzero(band_counts)], request
        )
    )
    closing_base = without("closing_within")
    deadline = snapshot.deadline[np.flatnonzero(closing_base)]
    deadline = deadline[(deadline != NULL_TIME) & (deadline >= start_of(now))]
    closing = [
        (days, int((deadline <= start_of(now + timedelta(days=days))).sum())) for days in CLOSING_PRESETS
    ]
    out.append(facet_labels.closing(closing, request))
    out.append(facet_labels.source(_grouped(snapshot, "source", without("source"), packed), request))
    return tuple(facet for facet in out if facet.values)


def newest_candidates(snapshot: Snapshot, matched: Mask, wanted: int) -> NDArray[np.int64] | None:
    """Row ids that hold the ``wanted`` newest matches (ties at the edge included), or None.

    None when the edge falls among the undated notices (too many ties to hand to SQL).
    """
    positions = np.flatnonzero(matched)
    if len(positions) <= wanted:
        return snapshot.doc[positions]
    published = snapshot.published[positions]
    edge = np.partition(published, len(published) - wanted)[len(published) - wanted]
    if edge == NULL_TIME:
        return None
    found: NDArray[np.int64] = snapshot.doc[positions[published >= edge]]
    return found


CLOSED: Final = 2**40  # added to a past deadline (seconds): it sorts after every upcoming one
UNDATED: Final = 2**62  # no deadline: last


def closing_candidates(
    snapshot: Snapshot, matched: Mask, wanted: int, now: datetime
) -> NDArray[np.int64] | None:
    """Row ids that hold the ``wanted`` first matches by closing date (ties at the edge included).

    The order is run.py's ``_order`` for ``closing``: upcoming deadlines soonest first, then
    past ones, oldest first, then none. None when the edge falls among the undated notices.
    """
    positions = np.flatnonzero(matched)
    if len(positions) <= wanted:
        return snapshot.doc[positions]
    deadline = snapshot.deadline[positions]
    key = np.where(deadline >= start_of(now), deadline, CLOSED + deadline)
    key[deadline == NULL_TIME] = UNDATED
    edge = np.partition(key, wanted - 1)[wanted - 1]
    if edge == UNDATED:
        return None
    found: NDArray[np.int64] = snapshot.doc[positions[key <= edge]]
    return found
