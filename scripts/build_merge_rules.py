"""Build ``src/tenderlens/ocds/merge_rules.json``, the OCDS merge rules tenderlens compiles with.

Usage (from the repository root)::

    python scripts/build_merge_rules.py --shared ../shared/data          # rewrite the file
    python scripts/build_merge_rules.py --shared ../shared/data --check  # exit 1 if it is stale

The file has two groups of rules; tenderlens uses their union.

``computed``
    ``ocdsmerge.rules.get_merge_rules()`` over the OCDS 1.1 release schema patched (RFC 7386
    JSON Merge Patch) with the three FTS extensions whose schemas are in the shared data:
    the EU profile, suitability and the UK extension, applied in the order FTS declares them.
``read``
    Rules added by the other seven extensions FTS declares. Their schemas are not in the
    shared data, so the rules were worked out by reading the public schemas (source and commit
    recorded per extension) and are emitted verbatim from ``READ_EXTENSIONS`` below.

Nothing here touches the network: every ``$ref`` must be local (``#/...``), which is checked,
so jsonref never resolves a remote reference.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from ocdsmerge.rules import get_merge_rules

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "src" / "tenderlens" / "ocds" / "merge_rules.json"

#: The release schema and the extensions read from the shared data (``--shared``), in the
#: order they are applied: the base schema first, then extensions in FTS's declared order.
SHARED_SOURCES: list[dict[str, str]] = [
    {
        "name": "OCDS 1.1.5 release schema",
        "file": "ocds-schema/1.1/release-schema.json",
        "repository": "open-contracting/standard",
        "path": "schema/release-schema.json",
        "commit": "af0d0d41c64be26d8bbd57dcca8b474937e5851c",
    },
    {
        "name": "OCDS for the European Union profile",
        "extension": "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json",
        "file": "ocds-schema/extensions/eu_profile/release-schema.json",
        "repository": "open-contracting-extensions/european-union",
        "path": "schema/profile/release-schema.json",
        "commit": "bf869707b88cb9b05fd4060adb9e2ecdb0b9877c",
    },
    {
        "name": "Suitability",
        "extension": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_suitability_extension/master/extension.json",
        "file": "ocds-schema/extensions/ocds_suitability_extension/release-schema.json",
        "repository": "open-contracting-extensions/ocds_suitability_extension",
        "path": "release-schema.json",
        "commit": "271f51cef1160e66d8952a7e683f1d8375efcc95",
    },
    {
        "name": "United Kingdom",
        "extension": "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
        "file": "ocds-schema/extensions/ocds_uk_extension/release-schema.json",
        "repository": "cabinetoffice/ocds_uk_extension",
        "path": "release-schema.json",
        "commit": "aa0e43b84dfad0cb9b839a8135e0bc4b285d32fc",
    },
]

_OCE = "https://raw.githubusercontent.com/open-contracting-extensions"

#: The other seven extensions FTS declares. ``rules`` are the rules each adds to the union of
#: all ten extensions; they were found by patching the schema read at ``commit`` into the
#: shared schemas above and diffing ``get_merge_rules()`` with and without it.
READ_EXTENSIONS: list[dict[str, Any]] = [
    {
        "extension": f"{_OCE}/ocds_amendment_rationale_classifications_extension/master/extension.json",
        "repository": "open-contracting-extensions/ocds_amendment_rationale_classifications_extension",
        "path": "release-schema.json",
        "commit": "69e173667f6554ec7bfc2988605313bd0a847bd8",
        "note": "Adds Amendment.rationaleClassifications with wholeListMerge. The UK extension sets the "
        "same field and rule, so every path is already in the computed group.",
        "rules": {},
    },
    {
        "extension": f"{_OCE}/ocds_budget_breakdown_extension/master/extension.json",
        "repository": "open-contracting-extensions/ocds_budget_breakdown_extension",
        "path": "release-schema.json",
        "commit": "c7d3374b0f3586539a0c6489c0b5cedfadd373df",
        "note": "Adds planning.budget.budgetBreakdown[] (items have an id, so identifier merge). Its "
        "sourceParty is an OrganizationReference, whose arrays are whole-list (availableLanguage comes "
        "from the EU profile's ContactPoint).",
        "rules": {
            "planning/budget/budgetBreakdown/sourceParty/additionalIdentifiers": "wholeListMerge",
            "planning/budget/budgetBreakdown/sourceParty/contactPoint/availableLanguage": "wholeListMerge",
        },
    },
    {
        "extension": f"{_OCE}/ocds_contract_completion_extension/master/extension.json",
        "repository": "open-contracting-extensions/ocds_contract_completion_extension",
        "path": "release-schema.json",
        "commit": "84758ca6ee1e191e62259ef0f8c7cbb4d2e87428",
        "note": "Adds Implementation.endDate, endDateDetails, finalValue (Value) and finalValueDetails: "
        "no arrays, so no rules.",
        "rules": {},
    },
    {
        "extension": f"{_OCE}/ocds_documentation_extension/master/extension.json",
        "repository": "open-contracting-extensions/ocds_documentation_extension",
        "path": "release-schema.json",
        "commit": "25c73e49fd0fb23d8e7a7c38cf7a5ebca5602de2",
        "note": "Adds string and boolean fields to Document (pageStart, pageEnd, accessDetails, "
        "accessDetailsURL, author, unofficialTranslation): no rules.",
        "rules": {},
    },
    {
        "extension": f"{_OCE}/ocds_pagination_extension/master/extension.json",
        "repository": "open-contracting-extensions/ocds_pagination_extension",
        "path": "release-schema.json",
        "commit": "f75a7586c9a5ae86550354dc95bdc4149895edc6",
        "note": "Adds the deprecated release-level packageMetadata object (strings and a publisher "
        "object, no arrays): no rules. Its links.next lives in the package schemas.",
        "rules": {},
    },
    {
        "extension": "https://raw.githubusercontent.com/portaledcahn/ocds_Links_extension/main/extension.json",
        "repository": "portaledcahn/ocds_Links_extension",
        "path": "release-schema.json",
        "commit": "1444685847e1c6fddf0573955ffa02e206b66e30",
        "note": "Adds a top-level links[] of Link objects {rel, href} without an id: whole-list merge "
        "(without the rule, every release would append its links again).",
        "rules": {"links": "wholeListMerge"},
    },
    {
        "extension": f"{_OCE}/ocds_performance_failures_extension/master/extension.json",
        "repository": "open-contracting/extension-explorer",
        "path": "en/extensions/performance_failures/master/release-schema.json",
        "commit": "34c8ff993164dfb7d8c9308dc6064df8afcdbfdb",
        "note": "Adds contracts[].implementation.performanceFailures[] (items have a required id, so "
        "identifier merge; same shape at open-contracting-extensions/ocds_performance_failures_extension "
        "7400f33d7ea0427a752659503b14ec192ca421fa). The UK extension patches PerformanceFailure with "
        "suppliers (OrganizationReference) and documents (Document), whose arrays are whole-list.",
        "rules": {
            "contracts/implementation/performanceFailures/documents/relatedLots": "wholeListMerge",
            "contracts/implementation/performanceFailures/suppliers/additionalIdentifiers": "wholeListMerge",
            "contracts/implementation/performanceFailures/suppliers/contactPoint/availableLanguage": (
                "wholeListMerge"
            ),
        },
    },
]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: a new value; neither argument is changed."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _check_local_refs(node: Any, where: str = "") -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref is not None and not (isinstance(ref, str) and ref.startswith("#/")):
            raise ValueError(f"non-local $ref {ref!r} at {where or '/'}: refusing to let jsonref fetch it")
        for key, value in node.items():
            _check_local_refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_local_refs(value, f"{where}/{index}")


def patched_schema(shared: Path) -> dict[str, Any]:
    """The 1.1 release schema with the shared extensions merge-patched in, in FTS order."""
    schema: dict[str, Any] = {}
    for source in SHARED_SOURCES:
        schema = merge_patch(schema, json.loads((shared / source["file"]).read_text(encoding="utf-8")))
    return schema


def rules_from_schema(schema: dict[str, Any]) -> dict[str, str]:
    """ocdsmerge's merge rules for a (non-dereferenced) release schema, paths joined by ``/``."""
    _check_local_refs(schema)
    rules = get_merge_rules(copy.deepcopy(schema))
    return {"/".join(path): rule for path, rule in sorted(rules.items())}


def read_rules() -> dict[str, str]:
    """The union of the hand-entered rules in READ_EXTENSIONS."""
    rules: dict[str, str] = {}
    for extension in READ_EXTENSIONS:
        for path, rule in extension["rules"].items():
            if rules.setdefault(path, rule) != rule:
                raise ValueError(f"conflicting hand-entered rules for {path!r}")
    return dict(sorted(rules.items()))


def build_document(shared: Path) -> dict[str, Any]:
    computed = rules_from_schema(patched_schema(shared))
    read = read_rules()
    overlap = sorted(set(computed) & set(read))
    if overlap:
        raise ValueError(
            f"hand-entered rules duplicate computed ones (drop them from READ_EXTENSIONS): {overlap}"
        )
    sources = [
        {**source, "sha256": hashlib.sha256((shared / source["file"]).read_bytes()).hexdigest()}
        for source in SHARED_SOURCES
    ]
    return {
        "description": "OCDS merge rules for tenderlens. Generated by scripts/build_merge_rules.py "
        "(see docs/compile.md); do not edit by hand.",
        "format": "Each group maps a field path (keys joined by '/') to omitWhenMerged or wholeListMerge. "
        "tenderlens.compile.MERGE_RULES is the union of the groups. Paths not listed are merged "
        "field by field (objects) or by id (arrays of objects).",
        "groups": [
            {
                "name": "computed",
                "how": "ocdsmerge.rules.get_merge_rules() over the OCDS 1.1 release schema merge-patched "
                "(RFC 7386) with these extensions, in this order ('file' is relative to shared/data).",
                "sources": sources,
                "rules": computed,
            },
            {
                "name": "read",
                "how": "Hand-entered: the rules the other FTS extensions add, read from their public "
                "schemas at the commits given, in combination with the computed group's schemas.",
                "sources": [
                    {k: v for k, v in ext.items() if k != "rules"} | {"adds": sorted(ext["rules"])}
                    for ext in READ_EXTENSIONS
                ],
                "rules": read,
            },
        ],
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, required=True, help="the shared data directory (shared/data)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT.relative_to(REPO)}")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the output is stale")
    args = parser.parse_args(argv)

    text = render(build_document(args.shared))
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run scripts/build_merge_rules.py --shared {args.shared}")
            return 1
        print(f"{args.output} is up to date")
        return 0
    if current == text:
        print(f"{args.output} unchanged")
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
