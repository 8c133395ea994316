"""The lifecycle stages a process has reached, and its current one: one rule for every reader.

The notice page (:func:`tenderlens.notice.build.build_notice`) and the listing the compile
worker keeps for each record (:mod:`tenderlens.search.listing`) both call :func:`stage_codes`,
so they never disagree. It is a module of its own so that mypyc compiles it with the listing
(:data:`tenderlens.compiled.COMPILED`): run as Python it was about 2% of the compile worker's time
(benchmarks/RESULTS.md, twentieth measurement).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tenderlens.notice.safe import obj, objs, strings, text
from tenderlens.notice.words import STAGES, TAG_STAGE

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def stage_codes(
    compiled: Mapping[str, Any],
    tag_lists: Sequence[Sequence[str]],
    awards: list[Mapping[str, Any]],
    contracts: list[Mapping[str, Any]],
) -> tuple[tuple[str, ...], str | None]:
    """Stages reached (from tags and the sections present) and the current one (the latest tags win).

    ``tag_lists`` are the releases' tags in merge order. One rule for the notice and for the
    listing the compile path keeps (:mod:`tenderlens.search.listing`), so they never disagree.
    """
    reached: set[str] = set()
    for tags in tag_lists:
        reached.update(TAG_STAGE[tag] for tag in tags if tag in TAG_STAGE)
    reached.update(TAG_STAGE[tag] for tag in strings(compiled.get("tag")) if tag in TAG_STAGE)
    planning = obj(compiled.get("planning"))
    tender = obj(compiled.get("tender"))
    if any(planning.get(key) for key in ("documents", "milestones", "budget", "rationale")):
        reached.add("planning")
    if (
        obj(tender.get("tenderPeriod"))
        or text(tender.get("status")) == "active"
        or any(text(doc.get("documentType")) == "tenderNotice" for doc in objs(tender.get("documents")))
    ):
        reached.add("tender")
    if any(award.get("suppliers") or award.get("value") or award.get("date") for award in awards):
        reached.add("award")
    if contracts:
        reached.add("contract")
    if any(obj(contract.get("implementation")) for contract in contracts):
        reached.add("implementation")
    ordered = tuple(stage for stage in STAGES if stage in reached)
    current = ordered[-1] if ordered else None
    latest_tags = next((tags for tags in reversed(tag_lists) if tags), ())
    latest = [STAGES.index(TAG_STAGE[tag]) for tag in latest_tags if tag in TAG_STAGE]
    if latest:
        current = STAGES[max(latest)]
    return ordered, current
