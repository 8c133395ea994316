# ruff: noqa: S311  (a seeded generator, not cryptography)
"""Seeded generator of FTS-like OCDS release histories, streamed as JSON Lines.

Each contracting process (ocid) gets 1-8 releases that walk planning -> tender -> award ->
contract -> contract changes, with buyer parties, CPV codes, NUTS regions, values, lots and
text built from word lists. Releases are about 3-4 KB each. Output is deterministic for a
given ``--seed``, ``--releases`` and ``--buyers`` and streams in constant memory, so 5M releases
is fine.

By default every process has its own buyer. Real buyers repeat, and unevenly: a few councils
and NHS trusts publish thousands of notices, most buyers a handful. ``--buyers N`` draws each
process's buyer from a pool of N with weight 1/rank (Zipf), so the busiest buyer has about
1/ln(N) of the processes; the other fields are drawn exactly as without a pool.

    python benchmarks/generate.py --releases 100000 --seed 1 -o /tmp/bench.jsonl
    python benchmarks/generate.py --releases 100000 --buyers 5000 -o /tmp/bench-buyers.jsonl
    python benchmarks/generate.py --releases 1000 --package -o /tmp/package.json  # one release package
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from collections.abc import Iterator

PREFIX = "ocds-h6vhtk"
TAGS = {
    "planning": ["planning"],
    "tender": ["tender"],
    "award": ["award"],
    "contract": ["contract"],
    "change": ["contractAmendment"],
}
NOTICE_TYPES = {"planning": "UK2", "tender": "UK4", "award": "UK6", "contract": "UK7", "change": "UK10"}
DOC_TYPES = {
    "planning": "marketEngagementNotice",
    "tender": "tenderNotice",
    "award": "awardNotice",
    "contract": "contractNotice",
    "change": "contractAmendmentNotice",
}
CPV = [
    ("79710000", "Security services"),
    ("90910000", "Cleaning services"),
    ("85120000", "Medical practice services"),
    ("72000000", "IT services: consulting, software development, Internet and support"),
    ("45210000", "Building construction work"),
    ("45233140", "Roadworks"),
    ("33600000", "Pharmaceutical products"),
    ("55520000", "Catering services"),
    ("60130000", "Special-purpose road passenger-transport services"),
    ("71000000", "Architectural, construction, engineering and inspection services"),
    ("80500000", "Training services"),
    ("66510000", "Insurance services"),
    ("09310000", "Electricity"),
    ("50700000", "Repair and maintenance services of building installations"),
    ("48000000", "Software package and information systems"),
    ("77310000", "Planting and maintenance services of green areas"),
    ("85311000", "Social work services with accommodation"),
    ("34144900", "Electric vehicles"),
    ("90500000", "Refuse and waste related services"),
    ("98341000", "Accommodation services"),
]
NUTS = [
    "UKC11", "UKC12", "UKC21", "UKD33", "UKD35", "UKE32", "UKE42", "UKF11", "UKF14", "UKG31",
    "UKG36", "UKH14", "UKH32", "UKI32", "UKI41", "UKI53", "UKJ11", "UKJ34", "UKK11", "UKK41",
    "UKL22", "UKM75", "UKM82", "UKN06",
]  # fmt: skip
TOWNS = [
    ("Stockton on Tees", "TS17 6QW"), ("Leeds", "LS1 3EX"), ("Manchester", "M1 1AD"),
    ("Birmingham", "B1 1BB"), ("Bristol", "BS1 5TR"), ("Cardiff", "CF10 4UW"),
    ("Edinburgh", "EH1 1YZ"), ("Belfast", "BT1 5GS"), ("Norwich", "NR2 1NH"),
    ("London", "SW1A 2AA"), ("Newcastle upon Tyne", "NE1 8QH"), ("Exeter", "EX1 1JN"),
]  # fmt: skip
BUYER_KINDS = [
    "Borough Council", "County Council", "NHS Foundation Trust", "Police and Crime Commissioner",
    "City Council", "Integrated Care Board", "Fire and Rescue Authority", "University",
    "Housing Association", "Academy Trust", "Combined Authority", "District Council",
]  # fmt: skip
PLACES = [
    "Cleveland", "Leeds", "Kent", "Surrey", "Cornwall", "Cumbria", "Norfolk", "Essex", "Derby",
    "Sheffield", "Bristol", "Hampshire", "Lancashire", "Devon", "Oxford", "Cambridge", "Wirral",
    "Tameside", "Dorset", "Suffolk", "Lothian", "Gwynedd", "Antrim", "Fife",
]  # fmt: skip
SUBJECTS = [
    "cleaning", "security", "catering", "grounds maintenance", "waste collection", "ICT support",
    "software licences", "legal advice", "agency staffing", "home care", "school transport",
    "road resurfacing", "gutter clearing", "window cleaning", "fleet vehicles", "energy supply",
    "building repairs", "mental health support", "training", "insurance", "laboratory equipment",
    "consultancy", "data centre hosting", "translation", "temporary accommodation",
]  # fmt: skip
KINDS = ["framework", "contract", "dynamic purchasing system", "call-off", "services", "supply"]
WORDS = (  # noqa: SIM905 - prose reads better than a 100-item list
    "the authority requires provider deliver services across all sites including schools "
    "offices depots libraries and leisure centres contract will be awarded to the most "
    "advantageous tender assessed on quality price and social value bidders must demonstrate "
    "experience capacity and relevant accreditation including ISO 9001 and ISO 14001 "
    "tenderers should register on the portal to access documents and submit clarification "
    "questions before the deadline the scope covers planned and reactive work out of hours "
    "emergency response reporting key performance indicators and continuous improvement "
    "the estimated value excludes VAT and includes optional extensions TUPE may apply "
    "suppliers are encouraged to subcontract locally and to small and medium enterprises"
).split()
LOT_NAMES = ["North", "South", "East", "West", "Central", "Specialist", "Emergency", "Rural"]
STATUS = {
    "planning": "planned",
    "tender": "active",
    "award": "complete",
    "contract": "complete",
    "change": "complete",
}


def _text(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _stamp(moment: datetime, rng: random.Random) -> str:
    # FTS mixes Z and +01:00 (British Summer Time) offsets; keep both, same instant.
    if 3 < moment.month < 11 and rng.random() < 0.5:
        local = (moment + timedelta(hours=1)).replace(tzinfo=None)
        return local.isoformat(timespec="seconds") + "+01:00"
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _stages(rng: random.Random, count: int) -> list[str]:
    """A plausible stage sequence of exactly ``count`` releases."""
    base = ["planning", "tender", "award", "contract"]
    start = 0 if count >= 4 or rng.random() < 0.4 else 1
    seq = base[start : start + count]
    while len(seq) < count:  # extra releases: contract changes, or tender corrections early on
        seq.append("change" if len(seq) >= 3 else "tender")
    return seq


@dataclass(frozen=True, slots=True)
class Buyer:
    """A buyer's fixed facts: who it is and where its address is."""

    id: str
    name: str
    region: str
    town: str
    postcode: str


def _buyer(rng: random.Random, number: int) -> Buyer:
    place = rng.choice(PLACES)
    town, postcode = rng.choice(TOWNS)
    identifier = f"GB-PPON-{rng.randrange(16**4):04X}-{rng.randrange(16**4):04X}-{number % 9973:04d}"
    name = f"{place} {rng.choice(BUYER_KINDS)}"
    return Buyer(identifier, name, rng.choice(NUTS), town, postcode)


class BuyerPool:
    """``size`` buyers drawn with weight 1/rank, from their own random stream."""

    def __init__(self, size: int, seed: int) -> None:
        self.rng = random.Random(f"buyers-{seed}")
        self.buyers = [_buyer(self.rng, number) for number in range(size)]
        self.cum_weights = list(itertools.accumulate(1 / rank for rank in range(1, size + 1)))

    def draw(self) -> Buyer:
        return self.rng.choices(self.buyers, cum_weights=self.cum_weights)[0]


class Process:
    """The fixed facts of one contracting process, from which its releases are drawn."""

    def __init__(self, rng: random.Random, number: int, start: datetime, buyer: Buyer | None = None) -> None:
        self.rng = rng
        self.ocid = f"{PREFIX}-{number:06x}"
        own = _buyer(rng, number)  # drawn even with a pool, so the other fields do not change
        chosen = buyer or own
        self.buyer_id, self.buyer_name = chosen.id, chosen.name
        self.region, self.town, self.postcode = chosen.region, chosen.town, chosen.postcode
        self.cpv = rng.sample(CPV, k=rng.randint(1, 3))
        subject = rng.choice(SUBJECTS)
        self.title = f"{subject.capitalize()} {rng.choice(KINDS)} for {self.buyer_name}"
        self.description = _text(rng, 40, 80)
        self.value = float(
            rng.choice([8_500, 45_000, 120_000, 750_000, 2_400_000, 18_000_000]) * rng.uniform(0.6, 1.6)
        )
        self.value = round(self.value, 2)
        self.lots = [
            {
                "id": str(i + 1),
                "title": f"Lot {i + 1}: {LOT_NAMES[i]} {subject}",
                "description": _text(rng, 15, 30),
            }
            for i in range(rng.choice([1, 1, 1, 2, 3, 4]))
        ]
        self.start = start
        self.suppliers = [
            {
                "id": f"GB-COH-{rng.randrange(10**8):08d}",
                "name": f"{rng.choice(PLACES)} {rng.choice(['Services', 'Group', 'Facilities'])} Ltd",
            }
            for _ in range(len(self.lots))
        ]

    def parties(self, stage: str) -> list[dict[str, Any]]:
        parties: list[dict[str, Any]] = [
            {
                "id": self.buyer_id,
                "name": self.buyer_name,
                "identifier": {"scheme": "GB-PPON", "id": self.buyer_id[8:]},
                "address": {
                    "streetAddress": f"{self.rng.randint(1, 200)} High Street",
                    "locality": self.town,
                    "postalCode": self.postcode,
                    "country": "GB",
                    "countryName": "United Kingdom",
                    "region": self.region,
                },
                "contactPoint": {
                    "name": "Procurement team",
                    "email": f"procurement@{self.buyer_id[-4:]}.gov.uk",
                    "telephone": "+44 1642 301500",
                },
                "roles": ["buyer"],
                "details": {
                    "classifications": [
                        {
                            "id": "publicAuthoritySubCentralGovernment",
                            "scheme": "UK_CA_TYPE",
                            "description": "Public authority - sub-central government",
                        }
                    ]
                },
            }
        ]
        if stage in {"award", "contract", "change"}:
            parties.extend(
                {
                    **supplier,
                    "identifier": {"scheme": "GB-COH", "id": supplier["id"][7:]},
                    "address": {"locality": self.town, "country": "GB", "region": self.region},
                    "roles": ["supplier"],
                    "details": {"scale": self.rng.choice(["sme", "large"])},
                }
                for supplier in self.suppliers
            )
        return parties

    def release(self, index: int, stage: str, moment: datetime) -> dict[str, Any]:
        rng = self.rng
        notice_id = f"{rng.randrange(10**6):06d}-{moment.year}"
        date = _stamp(moment, rng)
        release: dict[str, Any] = {
            "ocid": self.ocid,
            "id": notice_id,
            "date": date,
            "tag": TAGS[stage],
            "initiationType": "tender",
            "language": "en",
            "parties": self.parties(stage),
            "buyer": {"id": self.buyer_id, "name": self.buyer_name},
        }
        items = [
            {
                "id": lot["id"],
                "relatedLot": lot["id"],
                "additionalClassifications": [
                    {"scheme": "CPV", "id": code, "description": label} for code, label in self.cpv
                ],
                "deliveryAddresses": [{"region": self.region, "locality": self.town}],
            }
            for lot in self.lots
        ]
        tender: dict[str, Any] = {
            "id": self.ocid[-6:],
            "title": self.title,
            "description": self.description,
            "status": STATUS[stage] if stage != "change" else "complete",
            "classification": {"scheme": "CPV", "id": self.cpv[0][0], "description": self.cpv[0][1]},
            "mainProcurementCategory": rng.choice(["services", "goods", "works"]),
            "value": {"amount": self.value, "currency": "GBP", "amountGross": round(self.value * 1.2, 2)},
            "procurementMethod": "open",
            "procurementMethodDetails": "Open procedure",
            "items": items,
            "lots": [
                {
                    **lot,
                    "status": STATUS[stage] if stage != "planning" else "planned",
                    "value": {"amount": round(self.value / len(self.lots), 2), "currency": "GBP"},
                    "suitability": {"sme": rng.random() < 0.6, "vcse": rng.random() < 0.3},
                    "contractPeriod": {
                        "startDate": _stamp(self.start + timedelta(days=120), rng),
                        "endDate": _stamp(self.start + timedelta(days=120 + 365 * 3), rng),
                    },
                }
                for lot in self.lots
            ],
            "submissionMethod": ["electronicSubmission"],
            "documents": [
                {
                    "id": notice_id,
                    "documentType": DOC_TYPES[stage],
                    "noticeType": NOTICE_TYPES[stage],
                    "description": f"{DOC_TYPES[stage]} on Find a Tender",
                    "url": f"https://www.find-tender.service.gov.uk/Notice/{notice_id}",
                    "datePublished": date,
                    "format": "text/html",
                }
            ],
        }
        if stage == "planning":
            release["planning"] = {
                "milestones": [
                    {
                        "id": "engagement",
                        "type": "engagement",
                        "description": _text(rng, 20, 40),
                        "dueDate": _stamp(moment + timedelta(days=14), rng),
                        "status": "scheduled",
                    }
                ],
            }
            tender["communication"] = {"futureNoticeDate": _stamp(moment + timedelta(days=60), rng)}
        if stage != "planning":
            tender["tenderPeriod"] = {"endDate": _stamp(self.start + timedelta(days=40), rng)}
            tender["enquiryPeriod"] = {"endDate": _stamp(self.start + timedelta(days=30), rng)}
        release["tender"] = tender
        if stage in {"award", "contract", "change"}:
            release["awards"] = [
                {
                    "id": f"{self.ocid[-6:]}-{lot['id']}",
                    "status": "active",
                    "title": lot["title"],
                    "date": _stamp(self.start + timedelta(days=80), rng),
                    "value": {
                        "amount": round(self.value / len(self.lots) * rng.uniform(0.8, 1.05), 2),
                        "currency": "GBP",
                    },
                    "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
                    "relatedLots": [lot["id"]],
                }
                for lot, supplier in zip(self.lots, self.suppliers, strict=True)
            ]
        if stage in {"contract", "change"}:
            contracts = []
            for lot in self.lots:
                contract: dict[str, Any] = {
                    "id": f"{self.ocid[-6:]}-c{lot['id']}",
                    "awardID": f"{self.ocid[-6:]}-{lot['id']}",
                    "status": "active",
                    "title": lot["title"],
                    "value": {"amount": round(self.value / len(self.lots), 2), "currency": "GBP"},
                    "period": {
                        "startDate": _stamp(self.start + timedelta(days=120), rng),
                        "endDate": _stamp(self.start + timedelta(days=120 + 365 * 3), rng),
                    },
                    "dateSigned": _stamp(self.start + timedelta(days=110), rng),
                }
                if stage == "change":
                    contract["amendments"] = [
                        {
                            "id": f"{notice_id}-a",
                            "date": date,
                            "description": _text(rng, 10, 25),
                            "rationaleClassifications": [
                                {"scheme": "UK_MODIFICATION", "id": "unforeseeable"}
                            ],
                        }
                    ]
                    contract["value"]["amount"] = round(
                        contract["value"]["amount"] * rng.uniform(1.0, 1.2), 2
                    )
                    contract["period"]["endDate"] = _stamp(
                        self.start + timedelta(days=120 + 365 * 4 + index), rng
                    )
                contracts.append(contract)
            release["contracts"] = contracts
        return release


def generate(releases: int, seed: int, buyers: int = 0) -> Iterator[dict[str, Any]]:
    """Exactly ``releases`` releases, each ocid's releases consecutive and in date order.

    ``buyers``: draw each process's buyer from a pool of that many (see the module's docstring);
    0 gives every process its own.
    """
    rng = random.Random(seed)
    pool = BuyerPool(buyers, seed) if buyers > 0 else None
    epoch = datetime(2021, 1, 1, tzinfo=UTC)
    made = 0
    number = 0x100000
    while made < releases:
        count = min(rng.choices(range(1, 9), weights=[22, 18, 17, 15, 10, 8, 6, 4])[0], releases - made)
        start = epoch + timedelta(seconds=rng.randrange(6 * 365 * 86400))
        process = Process(rng, number, start, pool.draw() if pool else None)
        number += 1
        moment = start
        for index, stage in enumerate(_stages(rng, count)):
            yield process.release(index, stage, moment)
            moment += timedelta(days=rng.randint(1, 90), seconds=rng.randrange(86400))
        made += count


def long_history(releases: int, seed: int) -> Iterator[dict[str, Any]]:
    """One ocid with ``releases`` releases in date order: the usual stages, then contract changes.

    For the "one new release on a long history" benchmark: real FTS processes reach a few
    dozen releases (framework call-offs, many modifications); this goes beyond that on purpose.
    """
    rng = random.Random(seed)
    start = datetime(2021, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(86400 * 365))
    process = Process(rng, 0x0F0000 + seed, start)
    moment = start
    stages = _stages(rng, min(releases, 4)) if releases < 4 else ["planning", "tender", "award", "contract"]
    stages += ["change"] * (releases - len(stages))
    for index, stage in enumerate(stages):
        release = process.release(index, stage, moment)
        release["id"] = f"{release['id']}-{index}"  # unique however long the history
        yield release
        moment += timedelta(days=rng.randint(1, 20), seconds=rng.randrange(86400))


def write(out: IO[bytes], releases: int, seed: int, *, package: bool = False, buyers: int = 0) -> None:
    if package:
        out.write(
            b'{"uri":"https://example.com/bench","version":"1.1","publishedDate":"2026-11-26T00:00:00Z",'
        )
        out.write(b'"publisher":{"name":"tenderlens benchmark"},"releases":[\n')
    first = True
    for release in generate(releases, seed, buyers):
        if package and not first:
            out.write(b",\n")
        out.write(orjson.dumps(release))
        if not package:
            out.write(b"\n")
        first = False
    if package:
        out.write(b"\n]}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--releases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--package", action="store_true", help="write one release package instead of JSON Lines"
    )
    parser.add_argument(
        "--buyers", type=int, default=0, help="draw buyers from a Zipf-weighted pool of N (default: one each)"
    )
    parser.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.buyers < 0:
        parser.error("--buyers must be 0 (one per process) or more")
    if args.output == "-":
        write(sys.stdout.buffer, args.releases, args.seed, package=args.package, buyers=args.buyers)
    else:
        with Path(args.output).open("wb") as out:
            write(out, args.releases, args.seed, package=args.package, buyers=args.buyers)


if __name__ == "__main__":
    main()
