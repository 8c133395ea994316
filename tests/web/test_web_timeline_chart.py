"""The geometry behind the SVGs: the notice timeline and the buyer's quarterly charts."""

from __future__ import annotations

from tenderlens.compile import compile_releases
from tenderlens.notice import build_notice
from tenderlens.reference import default_reference
from tenderlens.search.buyers import _quarters
from tenderlens.web.chart import bar_chart, count_text, short_money
from tenderlens.web.timeline import timeline
from tests.web.conftest import NOW
from tests.web.webdata import cleaning_releases, nursing_release


def notice_of(releases):
    compiled = compile_releases(releases)[0]
    return build_notice(compiled, releases, default_reference(), NOW)


def test_timeline_lanes_marks_and_today() -> None:
    layout = timeline(notice_of(cleaning_releases()), NOW)
    assert layout is not None
    assert [name for name, _ in layout.lanes] == ["Notices", "Tender"]
    styles = {mark.style for mark in layout.marks}
    assert {"notice", "period", "deadline"} <= styles
    assert all(layout.plot_left <= mark.x <= layout.plot_right for mark in layout.marks)
    assert layout.plot_left < layout.today_x < layout.plot_right
    deadline = next(mark for mark in layout.marks if mark.style == "deadline")
    assert deadline.x > layout.today_x  # 27 Jun is after 4 Jun
    assert [event.title for event in layout.events][-1] == "Submission deadline"
    assert layout.ticks
    assert all(isinstance(label, str) for _, label in layout.ticks)


def test_timeline_contract_period_bar_and_future_notice() -> None:
    layout = timeline(notice_of([nursing_release()]), NOW)
    assert layout is not None
    assert [name for name, _ in layout.lanes] == ["Notices", "Award", "Contract"]
    bar = next(mark for mark in layout.marks if mark.style == "period")
    assert bar.x2 is not None
    assert bar.x2 > bar.x
    assert any(mark.style == "future" and "Next notice" in mark.title for mark in layout.marks)


def test_no_dates_no_timeline() -> None:
    notice = build_notice({"ocid": "x", "tag": ["compiled"]}, [], default_reference(), NOW)
    assert timeline(notice, NOW) is None


def test_bar_chart_scales_to_a_round_maximum() -> None:
    chart = bar_chart("Notices", [("2026 Q1", 3), ("2026 Q2", 7), ("2026 Q3", 0)], count_text)
    assert [bar.value_text for bar in chart.bars] == ["3", "7", "0"]
    assert chart.y_labels[-1][1] == "10"
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.label == "2026 Q2"
    assert abs(tallest.y + tallest.height - chart.baseline) < 0.2
    assert chart.total_text == "10"


def test_short_money() -> None:
    assert short_money(2_500_000) == "£2.5m"
    assert short_money(3_000_000) == "£3m"
    assert short_money(45_000) == "£45k"
    assert short_money(1_200_000_000) == "£1.2bn"


def test_quarters_fill_the_gaps() -> None:
    quarters = _quarters(
        [
            ("2025-11-02T10:00:00Z", None, None),
            ("2026-05-01T10:00:00Z", "2026-05-03T00:00:00Z", 1000.0),
            (None, "2026-04-10T00:00:00Z", 500.0),
        ]
    )
    assert [(q.label, q.notices, q.awarded) for q in quarters] == [
        ("2025 Q4", 1, 0.0),
        ("2026 Q1", 0, 0.0),
        ("2026 Q2", 1, 1500.0),
    ]
