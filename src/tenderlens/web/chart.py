"""A bar chart per quarter as plain geometry for a server-rendered SVG (the template draws it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from tenderlens.notice.words import amount_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

WIDTH: Final = 560
HEIGHT: Final = 220
LEFT: Final = 64
RIGHT: Final = 12
TOP: Final = 16
BOTTOM: Final = 40
MAX_SLOT: Final = 56


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    width: int
    height: int
    left: int
    baseline: float
    top: float
    right: float
    bars: tuple[Bar, ...]
    x_labels: tuple[tuple[float, str], ...]
    y_labels: tuple[tuple[float, str], ...]
    total_text: str


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** (len(str(int(value))) - 1)
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def short_money(value: float) -> str:
    """``£1.2m``, ``£350k``, ``£900``: short enough for an axis."""
    if value >= 1_000_000_000:
        return f"£{value / 1_000_000_000:.1f}bn".replace(".0bn", "bn")
    if value >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m".replace(".0m", "m")
    if value >= 1_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:.0f}"


def bar_chart(
    title: str,
    points: Sequence[tuple[str, float]],
    fmt: Callable[[float], str],
    axis_fmt: Callable[[float], str] | None = None,
) -> BarChart:
    """Bars for (label, value) points, with a rounded y scale, x labels thinned to fit."""
    axis_fmt = axis_fmt or fmt
    top_value = _nice_max(max((value for _, value in points), default=0.0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = min(plot_width / max(len(points), 1), MAX_SLOT)
    offset = (plot_width - slot * len(points)) / 2  # few bars sit in the middle, not stretched
    gap = min(slot * 0.2, 6)
    bars = []
    labels = []
    every = max(1, round(len(points) / 8))
    for i, (label, value) in enumerate(points):
        height = plot_height * value / top_value
        x = LEFT + offset + i * slot + gap / 2
        bars.append(
            Bar(
                round(x, 1),
                round(TOP + plot_height - height, 1),
                round(slot - gap, 1),
                round(height, 1),
                label,
                fmt(value),
            )
        )
        if i % every == 0:
            labels.append((round(x + (slot - gap) / 2, 1), label))
    y_labels = tuple(
        (round(TOP + plot_height * (1 - fraction), 1), axis_fmt(top_value * fraction))
        for fraction in (0, 0.5, 1)
    )
    total = sum(value for _, value in points)
    return BarChart(
        title=title,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        baseline=TOP + plot_height,
        top=TOP,
        right=WIDTH - RIGHT,
        bars=tuple(bars),
        x_labels=tuple(labels),
        y_labels=y_labels,
        total_text=fmt(total),
    )


def count_text(value: float) -> str:
    return f"{value:,.0f}"


def axis_count(value: float) -> str:
    return f"{value:,g}"


def money_text(value: float) -> str:
    return amount_text(round(value), "GBP")
