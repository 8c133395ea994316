"""The terminal page: every section of the seed page, with its key values, and no paywall."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from notice_support import NOW, fixture, reference, seed_compiled
from rich.console import Console

from tenderlens.notice import build_notice, render_notice

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.shared

HEADINGS = (
    "Release history",
    "Summary of the contracting process",
    "Who could bid",
    "Notice title",
    "Notice description",
    "Planning information",
    "Publication & lifecycle",
    "Procurement classification",
    "Common Procurement Vocabulary (CPV)",
    "Notice values",
    "Notice dates",
    "Notice status",
    "Contracting authority (buyer)",
    "Locations",
    "Lot 1",
    "Amendments",
    "Notice documents",
)


@pytest.fixture(scope="module")
def page(shared_data: Path) -> str:
    notice = build_notice(seed_compiled(shared_data), [], reference(), NOW)
    console = Console(record=True, width=100, file=io.StringIO())
    render_notice(notice, console)
    return console.export_text()


@pytest.mark.parametrize("heading", HEADINGS)
def test_section_headings(page: str, heading: str) -> None:
    assert heading in page


@pytest.mark.parametrize(
    "value",
    [
        "Victim Support & Restorative Practice",
        "The Office of the Police and Crime Commissioner for Cleveland",
        "ocds-h6vhtk-06a838",
        "Find a Tender",
        "https://www.find-tender.service.gov.uk/Notice/051890-2026",
        "UK2 \N{EN DASH} Preliminary market engagement notice",
        "Services",
        "Procurement Act 2023 (2023/54)",
        "SME, VCSE",
        "85 \N{EN DASH} Health and social work services",
        "98 \N{EN DASH} Other community, social and personal services",
        "85312320 \N{EN DASH} Counselling services",
        "28 May 2026, 18:33 · 7 days ago",
        "2 Jun 2026, 13:31 · 2 days ago",
        "8 Jun 2026 · in 4 days",
        "1 Sep 2026 · in 3 months",
        "1 Apr 2027 to 31 Mar 2029 (2 years), extendable to 31 Mar 2031",
        "procurement1@cleveland.police.uk",
        "Public authority - sub-central government",
        "TS17 6QW",
        "Stockton on Tees",
        "TLC North East",
        "TLC1 Tees Valley and Durham",
        "TLC11 Hartlepool and Stockton-on-Tees",
        "Event start and end times have now been specified for clarity.",
        "Not specified",
    ],
)
def test_key_values(page: str, value: str) -> None:
    assert value in page


def test_no_paywall_and_no_copied_bugs(page: str) -> None:
    assert "Premium" not in page
    assert "17:33" not in page
    assert "31 Mar 2027" not in page


def test_contact_rows_are_always_shown(page: str) -> None:
    for label in ("Contact name", "Contact email", "Contact phone"):
        assert label in page


def test_history_is_newest_first(page: str) -> None:
    assert page.index("051890-2026") < page.index("051402-2026") < page.index("050544-2026")


def test_markup_in_data_is_printed_literally() -> None:
    release = fixture("uk11-contract-termination.json")
    release["tender"]["title"] = "[bold red]Cleaning[/bold red] services"
    console = Console(record=True, width=100, file=io.StringIO())
    render_notice(build_notice(release, [release], reference(), NOW), console)
    assert "[bold red]Cleaning[/bold red] services" in console.export_text()
