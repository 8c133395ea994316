"""Codes in words: release tags, statuses, codelists, legal bases, money, publishers."""

from __future__ import annotations

import re

TAG_WORDS = {
    "planning": "Planning",
    "planningUpdate": "Planning update",
    "tender": "Tender",
    "tenderAmendment": "Tender amendment",
    "tenderUpdate": "Tender update",
    "tenderCancellation": "Tender cancellation",
    "award": "Award",
    "awardUpdate": "Award update",
    "awardCancellation": "Award cancellation",
    "contract": "Contract",
    "contractUpdate": "Contract update",
    "contractAmendment": "Contract amendment",
    "implementation": "Implementation",
    "implementationUpdate": "Implementation update",
    "contractTermination": "Contract termination",
    "compiled": "Compiled",
}

# Lifecycle stages in order; each release tag belongs to one.
STAGES = ("planning", "tender", "award", "contract", "implementation")
STAGE_WORDS = {stage: stage.capitalize() for stage in STAGES}
TAG_STAGE = {
    "planning": "planning",
    "planningUpdate": "planning",
    "tender": "tender",
    "tenderAmendment": "tender",
    "tenderUpdate": "tender",
    "tenderCancellation": "tender",
    "award": "award",
    "awardUpdate": "award",
    "awardCancellation": "award",
    "contract": "contract",
    "contractUpdate": "contract",
    "contractAmendment": "contract",
    "contractTermination": "contract",
    "implementation": "implementation",
    "implementationUpdate": "implementation",
}

STATUS_WORDS = {
    "planning": "Planning",
    "planned": "Planned",
    "active": "Active",
    "cancelled": "Cancelled",
    "unsuccessful": "Unsuccessful",
    "complete": "Complete",
    "withdrawn": "Withdrawn",
    "pending": "Pending",
    "terminated": "Terminated",
    "scheduled": "Scheduled",
    "met": "Met",
    "notMet": "Not met",
    "partiallyMet": "Partially met",
}

CATEGORY_WORDS = {"goods": "Goods", "works": "Works", "services": "Services"}
METHOD_WORDS = {"open": "Open", "selective": "Selective", "limited": "Limited", "direct": "Direct"}
SCALE_WORDS = {"sme": "SME", "large": "Large", "micro": "Micro", "small": "Small", "medium": "Medium"}
DEVOLVED_WORDS = {"GB-NIR": "Northern Ireland", "GB-SCT": "Scotland", "GB-WLS": "Wales"}

MILESTONE_WORDS = {
    "engagement": "Market engagement",
    "futureSignatureDate": "Expected contract signature",
    "preProcurement": "Pre-procurement",
    "securityClearanceDeadline": "Security clearance deadline",
}

BID_WORDS = {
    "bids": "Bids received",
    "smeBids": "Bids from SMEs",
    "vcseBids": "Bids from VCSEs",
    "electronicBids": "Electronic bids",
    "foreignBids": "Bids from abroad",
    "finalStageBids": "Bids at the final stage",
    "smeFinalStageBids": "SME bids at the final stage",
    "vcseFinalStageBids": "VCSE bids at the final stage",
    "lowestValidBidValue": "Lowest valid bid",
    "highestValidBidValue": "Highest valid bid",
}

# Notice-ish document types (core, EU profile and UK extension codelists).
NOTICE_DOCUMENT_TYPES = frozenset(
    {
        "plannedProcurementNotice",
        "marketEngagementNotice",
        "tenderNotice",
        "awardNotice",
        "contractNotice",
        "completionCertificate",
        "tenderCancellationNotice",
        "contractTerminationNotice",
        "implementationNotice",
        "contractAmendmentNotice",
        "prequalificationNotice",
    }
)

CELEX = {
    "32014L0024": "Public Contracts Regulations 2015 (Directive 2014/24/EU)",
    "32014L0025": "Utilities Contracts Regulations 2016 (Directive 2014/25/EU)",
    "32014L0023": "Concession Contracts Regulations 2016 (Directive 2014/23/EU)",
    "32009L0081": "Defence and Security Public Contracts Regulations 2011 (Directive 2009/81/EC)",
}
UKPGA = {"2023/54": "Procurement Act 2023"}

SOURCES = {"ocds-h6vhtk": "Find a Tender", "ocds-b5fd17": "Contracts Finder"}
FTS_NOTICE_URL = "https://www.find-tender.service.gov.uk/Notice/{id}"

DASH = "\N{EN DASH}"  # between a code and its name: "85 DASH Health and social work services"

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def camel_words(code: str) -> str:
    """``marketEngagementNotice`` → ``Market engagement notice`` (acronyms kept: ``VCSE``)."""
    parts = _CAMEL.sub(" ", code.replace("_", " ")).split()
    words = [part if part.isupper() and len(part) > 1 else part.lower() for part in parts]
    if not words:
        return code
    first = words[0]
    words[0] = first[:1].upper() + first[1:]
    return " ".join(words)


def tag_words(tag: str) -> str:
    return TAG_WORDS.get(tag) or camel_words(tag)


def status_words(status: str | None) -> str | None:
    if status is None:
        return None
    return STATUS_WORDS.get(status) or camel_words(status)


def code_words(table: dict[str, str], code: str | None) -> str | None:
    """``table[code]``, else the code in words; None stays None."""
    if code is None:
        return None
    return table.get(code) or camel_words(code)


def legal_basis_name(scheme: str | None, code: str | None, uri: str | None) -> str | None:
    """``Procurement Act 2023 (2023/54)`` for UKPGA 2023/54; the PCR family for CELEX codes; else raw."""
    if scheme == "UKPGA" and code:
        act = UKPGA.get(code)
        return f"{act} ({code})" if act else f"UK Public General Act {code}"
    if scheme == "CELEX" and code:
        return CELEX.get(code) or f"EU law CELEX {code}"
    raw = " ".join(part for part in (scheme, code) if part)
    return raw or uri


def regime_name(scheme: str | None, code: str | None) -> str | None:
    """The short regime a legal basis names ("Procurement Act 2023", "Public Contracts Regulations 2015")."""
    if scheme == "UKPGA" and code in UKPGA:
        return UKPGA[code]
    if scheme == "CELEX" and code in CELEX:
        return CELEX[code].split(" (", 1)[0]
    return None


def source_name(ocid: str | None) -> str:
    """The publication source an ocid prefix denotes."""
    if ocid:
        for prefix, name in SOURCES.items():
            if ocid.startswith(prefix + "-"):
                return name
    return "Other"


def amount_text(amount: float, currency: str | None) -> str:
    """``£1,234,567``; pence only when there are any (``£54,393.60``); ``1,000 CHF`` without a symbol."""
    sign = "-" if amount < 0 else ""
    size = abs(float(amount))
    digits = f"{size:,.0f}" if size.is_integer() else f"{size:,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency or "")
    if symbol:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {currency}" if currency else f"{sign}{digits}"


def join_words(items: list[str] | tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
