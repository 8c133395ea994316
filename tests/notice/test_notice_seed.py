"""The founding seed notice (OPCC Cleveland, UK2): every section the aggregator page shows, from the data."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import orjson
import pytest
from notice_support import NOW, reference, seed_compiled

from tenderlens.notice import Notice, build_notice

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def seed(shared_data: Path) -> Notice:
    return build_notice(seed_compiled(shared_data), [], reference(), NOW)


def test_notice_type_is_uk2(seed: Notice) -> None:
    kind = seed.procurement.notice_type
    assert kind.code == "UK2"
    assert kind.name == "Preliminary market engagement notice"
    assert kind.determined


def test_identity_and_publication(seed: Notice) -> None:
    assert seed.ocid == "ocds-h6vhtk-06a838"
    assert seed.title == "Victim Support & Restorative Practice"
    assert seed.description is not None
    assert seed.description.startswith("Separate specialist services")
    assert seed.source == "Find a Tender"
    assert seed.latest_notice_url == "https://www.find-tender.service.gov.uk/Notice/051890-2026"
    assert seed.current_stage == "Planning"
    assert seed.stages == ("Planning",)


def test_classification(seed: Notice) -> None:
    procurement = seed.procurement
    assert procurement.category_words == "Services"
    assert procurement.method is None
    assert procurement.legal_basis is not None
    assert procurement.legal_basis.name == "Procurement Act 2023 (2023/54)"
    assert procurement.above_threshold is True
    assert procurement.sme_suitable is True
    assert procurement.vcse_suitable is True
    assert procurement.awardee_scales == ()


def test_cpv_codes_and_divisions(seed: Notice) -> None:
    assert [cpv.code for cpv in seed.cpv] == ["85120000", "85312300", "85312310", "85312320", "98300000"]
    assert seed.cpv[0].label == "Medical practice and related services"
    assert [(division.code, division.name) for division in seed.cpv_divisions] == [
        ("85", "Health and social work services"),
        ("98", "Other community, social and personal services"),
    ]
    assert seed.cpv_divisions[0].text == "85 \N{EN DASH} Health and social work services"


def test_contract_period_in_uk_local_dates(seed: Notice) -> None:
    (period,) = seed.dates.contract_periods
    assert period.label == "Lot 1"
    assert period.start is not None
    assert period.end is not None
    assert period.max_extent is not None
    assert period.start.day == date(2027, 4, 1)  # not 31 Mar, as the aggregator shows it
    assert period.start.text == "1 Apr 2027"
    assert period.end.day == date(2029, 3, 31)
    assert period.max_extent.day == date(2031, 3, 31)
    assert period.length == "2 years"
    assert period.length_with_extensions == "4 years"
    assert period.text == "1 Apr 2027 to 31 Mar 2029 (2 years), extendable to 31 Mar 2031"
    (lot,) = seed.lots
    assert lot.period == period
    assert lot.has_renewal is True
    assert lot.status_words == "Planning"


def test_buyer_region_chain(seed: Notice) -> None:
    locations = seed.locations
    assert locations.buyer_region == "UKC11"
    assert [(region.code, region.level) for region in locations.buyer_regions] == [
        ("TLC", 1),
        ("TLC1", 2),
        ("TLC11", 3),
    ]
    assert locations.buyer_regions[0].name.startswith("North East")
    assert locations.buyer_regions[1].name == "Tees Valley and Durham"
    assert locations.buyer_regions[2].name == "Hartlepool and Stockton-on-Tees"
    assert [place.raw for place in locations.delivery] == ["UKC1"]
    assert locations.delivery[0].regions[-1].code == "TLC1"
    # The packaged reference has no postcode directory: nothing is guessed.
    assert locations.postcode is None


def test_engagement_and_future_notice(seed: Notice) -> None:
    (event,) = seed.dates.engagement
    assert event.due is not None
    assert event.due.day == date(2026, 6, 8)
    assert event.due.relative == "in 4 days"
    assert event.description is not None
    assert "MS Teams" in event.description
    future = seed.dates.future_notice_date
    assert future is not None
    assert future.day == date(2026, 9, 1)
    assert future.relative == "in 3 months"


def test_history_is_derived_from_documents(seed: Notice) -> None:
    assert seed.history_derived is True
    assert [entry.id for entry in seed.history] == ["050544-2026", "051402-2026", "051890-2026"]
    first = seed.history[0]
    assert first.date is not None
    assert first.date.text == "28 May 2026, 18:33"  # 18:33:44+01:00 is 18:33 in UK time, not 17:33
    assert first.date.relative == "7 days ago"
    assert first.kind == "notice"
    assert first.tags == ()  # no tags are invented
    assert [entry.kind for entry in seed.history[1:]] == ["amendment", "amendment"]
    assert seed.history[1].amendment == "Event start and end times have now been specified for clarity."
    assert all(entry.notice_type and entry.notice_type.code == "UK2" for entry in seed.history)
    assert seed.dates.first_published == first.date
    last = seed.dates.last_published
    assert last is not None
    assert last.text == "2 Jun 2026, 13:31"
    assert last.relative == "2 days ago"


def test_buyer_and_contact(seed: Notice) -> None:
    buyer = seed.buyer
    assert buyer is not None
    assert buyer.name == "The Office of the Police and Crime Commissioner for Cleveland"
    assert buyer.identifiers == ("GB-PPON PWRJ-9675-VWVL",)
    assert buyer.buyer_type == "Public authority - sub-central government"
    assert buyer.contact.email == "procurement1@cleveland.police.uk"
    assert buyer.address is not None
    assert buyer.address.postal_code == "TS17 6QW"
    assert buyer.address.locality == "Stockton on Tees"


def test_statuses_values_amendments_documents(seed: Notice) -> None:
    assert seed.tender_status_words == "Planning"
    assert seed.values.tender is None
    assert seed.awards == ()
    assert seed.contracts == ()
    assert [amendment.id for amendment in seed.amendments] == ["051402-2026", "051890-2026"]
    assert seed.amendments[1].url == "https://www.find-tender.service.gov.uk/Notice/051890-2026"
    assert len(seed.documents) == 3
    assert {doc.notice_type for doc in seed.documents} == {"UK2"}
    assert seed.data_notes == ()


def test_summary_states_facts_only(seed: Notice) -> None:
    summary = seed.summary
    assert summary.startswith(
        "The Office of the Police and Crime Commissioner for Cleveland is planning a services procurement, "
        '"Victim Support & Restorative Practice", under the Procurement Act 2023.'
    )
    assert "A preliminary market engagement event is due on 8 Jun 2026" in summary
    assert "from 1 Apr 2027 to 31 Mar 2029 (2 years), extendable to 31 Mar 2031" in summary
    assert "1 Sep 2026" in summary
    assert "SMEs and VCSEs" in summary
    lowered = summary.lower()
    for unsupported in (
        "significant",
        "opportunit",
        "growth",
        "unique",
        "advantag",
        "innovative",
        "favourabl",
        "supply chain",
        "consolidate",
        "teams",
        "17:33",
        "31 mar 2027",
    ):
        assert unsupported not in lowered, unsupported


def test_who_could_bid(seed: Notice) -> None:
    note = " ".join(seed.who_could_bid)
    assert "planning stage" in note
    assert "SMEs and VCSEs" in note
    assert "Above the procurement threshold" in note
    assert "Tees Valley and Durham" in note
    assert "85 \N{EN DASH} Health and social work services" in note
    assert "8 Jun 2026" in note
    assert "deadline" not in note.lower()  # the data gives none


def test_to_dict_round_trips_through_orjson(seed: Notice) -> None:
    data = seed.to_dict()
    assert orjson.loads(orjson.dumps(data)) == data
    assert data["procurement"]["notice_type"]["code"] == "UK2"
    assert data["dates"]["contract_periods"][0]["start"]["day"] == "2027-04-01"
    assert re.fullmatch(r"2026-05-28T18:33:44\+01:00", data["history"][0]["date"]["at"])
    assert data["generated_at"] == NOW.isoformat()
