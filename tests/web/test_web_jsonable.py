"""The JSON twins' converter: its fast path gives exactly what the general conversion gives.

``jsonable`` keeps the field names of each dataclass it has met, and takes exact JSON types
first; that must never change a twin's data, for any value a page context can hold.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup

from tenderlens.compile import compile_releases, order_releases
from tenderlens.notice import build_notice
from tenderlens.notice.changes import what_changed
from tenderlens.reference import default_reference
from tenderlens.web.rendering import jsonable
from tenderlens.web.timeline import timeline
from tests.benchmarks.scripts import bench_script

NOW = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


def general(value: object) -> Any:
    """The conversion as documented, with no shortcuts: the oracle."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: general(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): general(member) for key, member in value.items()}
    if isinstance(value, list | tuple):
        return [general(member) for member in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class Inner:
    when: datetime
    day: date
    amount: float


@dataclass
class Outer:
    label: str
    inners: tuple[Inner, ...]
    extra: dict[Any, Any]


class Keyed(dict[str, Any]):
    pass


def test_odd_values_convert_as_the_general_rule_says_twice_over() -> None:
    value = {
        "outer": Outer(
            "x",
            (Inner(NOW, NOW.date(), math.nan), Inner(NOW, date(2027, 1, 1), 1.5)),
            {1: math.inf, 2.5: -math.inf, None: [1, (2, 3)]},
        ),
        "markup": Markup("<b>bold</b>"),
        "subclass": Keyed(a=Inner(NOW, NOW.date(), 2.0)),
        "numbers": [0, -1, 2**70, 0.1, False],
        "nothing": None,
    }
    expected = general(value)
    assert jsonable(value) == expected
    assert jsonable(value) == expected  # the second time, from the remembered field names
    assert expected["outer"]["inners"][0]["amount"] is None
    assert expected["outer"]["extra"] == {"1": None, "2.5": None, "None": [1, [2, 3]]}


def test_a_whole_notice_context_converts_as_the_general_rule_says() -> None:
    history = list(bench_script("generate").long_history(12, seed=4))
    ordered = order_releases((release, index) for index, release in enumerate(history))
    compiled, versioned = compile_releases(ordered)
    notice = build_notice(compiled, ordered, default_reference(), NOW)
    context = {
        "notice": notice,
        "changes": what_changed(versioned, NOW, ordered),
        "timeline": timeline(notice, NOW),
        "now": NOW,
    }
    expected = general(context)
    assert jsonable(context) == expected
    assert len(expected["changes"]) == 12
    assert expected["notice"]["ocid"] == history[0]["ocid"]
