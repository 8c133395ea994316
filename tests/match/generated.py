"""Generated OCDS releases for the relevance and alert tests: families of alike notices, seeded."""

from __future__ import annotations

import random
from typing import Any

FAMILIES: dict[str, dict[str, Any]] = {
    "cleaning": {
        "cpv": [("90911200", "Building-cleaning services"), ("90919200", "Office cleaning services")],
        "buyer": ("GB-GEN-1", "Northshire County Council"),
        "words": ["cleaning", "windows", "offices", "schools", "hygiene"],
    },
    "catering": {
        "cpv": [("55520000", "Catering services"), ("55523100", "School-meal services")],
        "buyer": ("GB-GEN-2", "Southshire Borough Council"),
        "words": ["catering", "meals", "kitchens", "school", "food"],
    },
    "counselling": {
        "cpv": [("85312320", "Counselling services"), ("85312300", "Guidance and counselling services")],
        "buyer": ("GB-GEN-3", "Eastshire Health Board"),
        "words": ["counselling", "wellbeing", "support", "therapy", "advice"],
    },
}
REGIONS = ["UKC11", "UKD33", "UKE42", "UKI31", "UKK21"]


def release(
    ocid: str,
    *,
    title: str,
    cpv: tuple[str, str],
    buyer: tuple[str, str],
    region: str = "UKE42",
    date: str = "2026-05-01T09:00:00Z",
    release_id: str | None = None,
    tag: str = "tender",
    deadline: str | None = "2026-07-01T12:00:00Z",
    status: str = "active",
    documents: tuple[str, ...] = ("notice",),
    awards: tuple[dict[str, Any], ...] = (),
    milestones: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": "T1",
        "title": title,
        "description": f"{title}. Generated for the tests.",
        "status": status,
        "classification": {"scheme": "CPV", "id": cpv[0], "description": cpv[1]},
        "items": [{"id": "1", "deliveryAddresses": [{"region": region}]}],
        "documents": [
            {
                "id": doc,
                "documentType": "tenderNotice",
                "title": doc,
                "url": f"https://example.org/{ocid}/{doc}",
            }
            for doc in documents
        ],
    }
    if deadline:
        tender["tenderPeriod"] = {"endDate": deadline}
    if milestones:
        tender["milestones"] = list(milestones)
    found: dict[str, Any] = {
        "ocid": ocid,
        "id": release_id or f"{ocid}-1",
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "parties": [{"id": buyer[0], "name": buyer[1], "roles": ["buyer"], "address": {"region": region}}],
        "buyer": {"id": buyer[0], "name": buyer[1]},
        "tender": tender,
    }
    if awards:
        found["awards"] = list(awards)
    return found


def family_releases(per_family: int = 20, seed: int = 6) -> dict[str, list[dict[str, Any]]]:
    """``per_family`` notices of each family, titles and regions drawn at random (seeded)."""
    chooser = random.Random(seed)
    found: dict[str, list[dict[str, Any]]] = {}
    for family, spec in FAMILIES.items():
        found[family] = [
            release(
                f"ocds-gen-{family}-{i:03d}",
                title=" ".join(chooser.sample(spec["words"], 3)).capitalize(),
                cpv=chooser.choice(spec["cpv"]),
                buyer=spec["buyer"],
                region=chooser.choice(REGIONS),
                date=f"2026-05-{1 + chooser.randrange(28):02d}T09:00:00Z",
            )
            for i in range(per_family)
        ]
    return found
