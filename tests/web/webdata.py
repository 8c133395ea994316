"""Small, hand-made OCDS releases for the web and search tests: four processes whose facts are known.

- CLEANING (FTS): a tender, then an amendment that moves the deadline, raises the value,
  adds a lot and a document. Buyer Leeds (GB-TEST-1), delivery in Leeds (UKE42), SME suitable.
- CATERING (Contracts Finder): a tender in the North West, £2m, VCSE suitable, SME not.
- NURSING (FTS): an awarded contract (£5m) for Leeds, with a future notice date.
- SOFTWARE (FTS): a planning notice for IT support and software licences, London.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

CLEANING = "ocds-h6vhtk-0web01"
CATERING = "ocds-b5fd17-0000web2"
NURSING = "ocds-h6vhtk-0web03"
SOFTWARE = "ocds-h6vhtk-0web04"
ALL = {CLEANING, CATERING, NURSING, SOFTWARE}

LEEDS = {
    "id": "GB-TEST-1",
    "name": "Leeds City Council",
    "roles": ["buyer"],
    "address": {
        "streetAddress": "Civic Hall",
        "locality": "Leeds",
        "region": "UKE42",
        "postalCode": "LS1 1UR",
    },
    "contactPoint": {
        "name": "Procurement team",
        "email": "procurement@leeds.example",
        "telephone": "0113 000 0000",
    },
}


def _party(party_id: str, name: str, region: str) -> dict[str, Any]:
    return {"id": party_id, "name": name, "roles": ["buyer"], "address": {"region": region}}


def cleaning_releases() -> list[dict[str, Any]]:
    first = {
        "ocid": CLEANING,
        "id": "100001-2026",
        "date": "2026-05-01T10:00:00+01:00",
        "tag": ["tender"],
        "initiationType": "tender",
        "parties": [LEEDS],
        "buyer": {"id": "GB-TEST-1", "name": "Leeds City Council"},
        "tender": {
            "id": "T1",
            "title": "School cleaning services",
            "description": "Cleaning of primary schools across Leeds, including windows.",
            "status": "active",
            "mainProcurementCategory": "services",
            "value": {"amount": 100000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2026-06-20T12:00:00+01:00"},
            "suitability": {"sme": True},
            "classification": {
                "scheme": "CPV",
                "id": "90911200",
                "description": "Building-cleaning services",
            },
            "items": [
                {
                    "id": "1",
                    "description": "Daily cleaning of classrooms",
                    "deliveryAddresses": [{"region": "UKE42"}],
                }
            ],
            "lots": [{"id": "1", "title": "Window cleaning", "status": "active"}],
            "documents": [
                {
                    "id": "100001-2026",
                    "documentType": "tenderNotice",
                    "noticeType": "UK4",
                    "title": "Tender notice",
                    "url": "https://www.find-tender.service.gov.uk/Notice/100001-2026",
                    "datePublished": "2026-05-01T10:00:00+01:00",
                }
            ],
        },
    }
    second = copy.deepcopy(first)
    second["id"] = "100002-2026"
    second["date"] = "2026-05-10T09:00:00+01:00"
    second["tag"] = ["tenderAmendment"]
    tender = second["tender"]
    tender["tenderPeriod"]["endDate"] = "2026-06-27T12:00:00+01:00"
    tender["value"]["amount"] = 120000
    tender["lots"].append({"id": "2", "title": "Gutter clearing", "status": "active"})
    tender["documents"].append(
        {
            "id": "100002-2026",
            "documentType": "tenderNotice",
            "noticeType": "UK4",
            "title": "Clarification responses",
            "url": "https://www.find-tender.service.gov.uk/Notice/100002-2026",
            "datePublished": "2026-05-10T09:00:00+01:00",
        }
    )
    return [first, second]


def catering_release() -> dict[str, Any]:
    return {
        "ocid": CATERING,
        "id": "0000web2-1",
        "date": "2026-05-20T08:00:00Z",
        "tag": ["tender"],
        "parties": [_party("GB-TEST-2", "Manchester City Council", "North West")],
        "buyer": {"id": "GB-TEST-2", "name": "Manchester City Council"},
        "tender": {
            "id": "C2",
            "title": "Catering for care homes",
            "description": "Hot meals delivered to residential care homes.",
            "status": "active",
            "value": {"amount": 2000000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2026-06-10T17:00:00Z"},
            "suitability": {"sme": False, "vcse": True},
            "classification": {"scheme": "CPV", "id": "55520000", "description": "Catering services"},
            "items": [{"id": "1", "deliveryAddresses": [{"region": "North West"}]}],
        },
    }


def nursing_release() -> dict[str, Any]:
    return {
        "ocid": NURSING,
        "id": "100003-2026",
        "date": "2026-03-02T12:00:00Z",
        "tag": ["award", "contract"],
        "parties": [LEEDS, {"id": "GB-SUP-1", "name": "Careful Nursing Ltd", "roles": ["supplier"]}],
        "buyer": {"id": "GB-TEST-1", "name": "Leeds City Council"},
        "tender": {
            "id": "N3",
            "title": "Nursing agency staff",
            "description": "Registered nurses supplied to care settings.",
            "status": "complete",
            "classification": {
                "scheme": "CPV",
                "id": "79624000",
                "description": "Supply services of nursing personnel",
            },
            "communication": {"futureNoticeDate": "2026-12-01T00:00:00Z"},
        },
        "awards": [
            {
                "id": "1",
                "title": "Nursing framework award",
                "status": "active",
                "date": "2026-03-01T00:00:00Z",
                "value": {"amount": 5000000, "currency": "GBP"},
                "suppliers": [{"id": "GB-SUP-1", "name": "Careful Nursing Ltd"}],
            }
        ],
        "contracts": [
            {
                "id": "1",
                "awardID": "1",
                "status": "active",
                "period": {"startDate": "2026-04-01T00:00:00+01:00", "endDate": "2027-03-31T23:59:59+01:00"},
                "value": {"amount": 5000000, "currency": "GBP"},
            }
        ],
    }


def software_release() -> dict[str, Any]:
    return {
        "ocid": SOFTWARE,
        "id": "100004-2026",
        "date": "2026-05-28T10:00:00+01:00",
        "tag": ["planning"],
        "parties": [_party("GB-TEST-3", "Department for Education", "UKI")],
        "buyer": {"id": "GB-TEST-3", "name": "Department for Education"},
        "tender": {
            "id": "S4",
            "title": "IT support and software licences",
            "description": "Managed IT support, e-mail and licensing for schools.",
            "status": "planned",
            "value": {"amount": 9500, "currency": "GBP"},
            "classification": {"scheme": "CPV", "id": "72000000", "description": "IT services"},
            "additionalClassifications": [{"scheme": "CPV", "id": "48000000", "description": "Software"}],
            "items": [
                {
                    "id": "1",
                    "description": "Café management software",
                    "deliveryAddresses": [{"region": "UKI"}],
                }
            ],
        },
    }


def all_releases() -> list[dict[str, Any]]:
    return [*cleaning_releases(), catering_release(), nursing_release(), software_release()]


def write_package(folder: Path, releases: list[dict[str, Any]], name: str = "releases.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"uri": "urn:test", "version": "1.1", "releases": releases}), encoding="utf-8")
    return path
