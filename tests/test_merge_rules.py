"""The packaged merge rules: that they are what the schemas say, and a few rules we rely on."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tenderlens.compile import MERGE_RULES, load_merge_rules

if TYPE_CHECKING:
    from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
PACKAGED = REPO / "src" / "tenderlens" / "ocds" / "merge_rules.json"


def _load_script() -> ModuleType:
    name = "build_merge_rules"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "build_merge_rules.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build = _load_script()


@pytest.fixture(scope="module")
def packaged() -> dict:
    return json.loads(PACKAGED.read_text(encoding="utf-8"))


def group(document: dict, name: str) -> dict:
    (found,) = [g for g in document["groups"] if g["name"] == name]
    return found


# --- against the shared schemas ----------------------------------------------------------------


@pytest.mark.shared
def test_computed_group_equals_rules_recomputed_from_shared_schemas(shared_data, packaged):
    recomputed = build.rules_from_schema(build.patched_schema(shared_data))
    assert group(packaged, "computed")["rules"] == recomputed


@pytest.mark.shared
def test_computed_group_sources_are_the_shared_files(shared_data, packaged):
    sources = group(packaged, "computed")["sources"]
    assert [s["file"] for s in sources] == [
        "ocds-schema/1.1/release-schema.json",
        "ocds-schema/extensions/eu_profile/release-schema.json",
        "ocds-schema/extensions/ocds_suitability_extension/release-schema.json",
        "ocds-schema/extensions/ocds_uk_extension/release-schema.json",
    ]
    for source in sources:
        assert (shared_data / source["file"]).is_file()


@pytest.mark.shared
def test_packaged_file_is_exactly_what_the_generator_writes(shared_data):
    # Catches hand edits, a stale file after a READ_EXTENSIONS change, and changed shared schemas
    # (sha256). Fix: python scripts/build_merge_rules.py --shared ../shared/data
    assert PACKAGED.read_text(encoding="utf-8") == build.render(build.build_document(shared_data))


@pytest.mark.shared
def test_our_merge_patch_reproduces_the_eu_profiles_own_patched_schema(shared_data):
    schemas = shared_data / "ocds-schema"
    base = json.loads((schemas / "1.1" / "release-schema.json").read_text(encoding="utf-8"))
    eu = json.loads(
        (schemas / "extensions" / "eu_profile" / "release-schema.json").read_text(encoding="utf-8")
    )
    published = json.loads(
        (schemas / "extensions" / "eu_profile" / "patched" / "release-schema.json").read_text(
            encoding="utf-8"
        )
    )
    ours = build.merge_patch(base, eu)
    assert ours.pop("id") != published.pop("id")  # the profile renames its schema, nothing else differs
    assert ours == published


@pytest.mark.shared
def test_fts_declares_the_extensions_we_cover(shared_data):
    page = json.loads(
        (shared_data / "ocds" / "fts" / "pages" / "2026-09-03-p001.json").read_text(encoding="utf-8")
    )
    covered = [s["extension"] for s in build.SHARED_SOURCES if "extension" in s]
    covered += [e["extension"] for e in build.READ_EXTENSIONS]
    assert sorted(covered) == sorted(page["extensions"])
    # And the computed group applies the shared ones in the order FTS declares them.
    positions = [page["extensions"].index(url) for url in covered[: len(build.SHARED_SOURCES) - 1]]
    assert positions == sorted(positions)


# --- the file itself ------------------------------------------------------------------------------


def test_merge_rules_is_the_union_of_the_groups(packaged):
    union: dict[tuple[str, ...], str] = {}
    for g in packaged["groups"]:
        union.update({tuple(path.split("/")): rule for path, rule in g["rules"].items()})
    assert union == MERGE_RULES
    assert load_merge_rules(packaged) == MERGE_RULES


def test_groups_are_sorted_and_disjoint(packaged):
    computed = group(packaged, "computed")["rules"]
    read = group(packaged, "read")["rules"]
    assert list(computed) == sorted(computed)
    assert list(read) == sorted(read)
    assert not set(computed) & set(read)


def test_read_group_is_emitted_verbatim_with_provenance(packaged):
    read = group(packaged, "read")
    assert read["rules"] == build.read_rules()
    assert len(read["sources"]) == 7
    for source in read["sources"]:
        assert len(source["commit"]) == 40
        assert source["repository"]
        assert source["path"].endswith("release-schema.json")
    adds = sorted(path for source in read["sources"] for path in source["adds"])
    assert adds == sorted(read["rules"])


# --- known rules --------------------------------------------------------------------------------

OMIT = "omitWhenMerged"
WHOLE = "wholeListMerge"


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        # omitWhenMerged in OCDS 1.1 (tag since 1.1.4)
        (("id",), OMIT),
        (("date",), OMIT),
        (("tag",), OMIT),
        # arrays of strings are replaced whole
        (("tender", "submissionMethod"), WHOLE),
        (("tender", "additionalProcurementCategories"), WHOLE),
        (("parties", "roles"), WHOLE),
        (("tender", "lots", "coveredBy"), WHOLE),  # EU profile
        (("tender", "specialRegime"), WHOLE),  # UK
        # arrays of objects that set wholeListMerge
        (("tender", "items", "additionalClassifications"), WHOLE),
        (("parties", "additionalIdentifiers"), WHOLE),
        (("tender", "lots", "awardCriteria", "criteria"), WHOLE),  # EU profile
        # UK extension: Amendment.rationaleClassifications, exclusion criteria, framework restrictions
        (("contracts", "amendments", "rationaleClassifications"), WHOLE),
        (("tender", "amendments", "rationaleClassifications"), WHOLE),
        (("awards", "amendments", "rationaleClassifications"), WHOLE),
        (("contracts", "proposedAmendments", "rationaleClassifications"), WHOLE),
        (("parties", "details", "excludedSupplier", "exclusionGrounds", "criteria"), WHOLE),
        (("tender", "lots", "techniques", "frameworkAgreement", "buyerClassificationRestrictions"), WHOLE),
        (("tender", "techniques", "frameworkAgreement", "buyerLocationRestrictions"), WHOLE),
        # read group
        (("links",), WHOLE),
        (("planning", "budget", "budgetBreakdown", "sourceParty", "additionalIdentifiers"), WHOLE),
        (("contracts", "implementation", "performanceFailures", "suppliers", "additionalIdentifiers"), WHOLE),
    ],
)
def test_known_rules(path, rule):
    assert MERGE_RULES[path] == rule


@pytest.mark.parametrize(
    "path",
    [
        ("ocid",),  # kept in the compiled release, never versioned (ocdsmerge's job, not a rule)
        ("parties",),  # identifier merge
        ("tender", "items"),
        ("tender", "lots"),
        ("awards",),
        ("contracts", "amendments"),
        ("contracts", "implementation", "performanceFailures"),
        ("planning", "budget", "budgetBreakdown"),
        ("tender", "title"),  # literals need no rule
    ],
)
def test_identifier_merged_and_plain_paths_have_no_rule(path):
    assert path not in MERGE_RULES


# --- the generator's pieces ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        # RFC 7386 appendix A, a selection
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_rfc7386(target, patch, result):
    before = copy.deepcopy((target, patch))
    assert build.merge_patch(target, patch) == result
    assert (target, patch) == before


def test_non_local_refs_are_refused():
    schema = {"properties": {"a": {"$ref": "https://example.com/schema.json#/definitions/A"}}}
    with pytest.raises(ValueError, match="non-local"):
        build.rules_from_schema(schema)


def test_rules_from_a_small_schema():
    schema = {
        "properties": {
            "id": {"type": "string", "omitWhenMerged": True},
            "things": {"type": "array", "items": {"$ref": "#/definitions/Thing"}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "bare": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}},
        },
        "definitions": {
            "Thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "codes": {
                        "type": "array",
                        "items": {"$ref": "#/definitions/Thing"},
                        "wholeListMerge": True,
                    },
                },
            }
        },
    }
    assert build.rules_from_schema(schema) == {
        "bare": WHOLE,
        "id": OMIT,
        "tags": WHOLE,
        "things/codes": WHOLE,
    }
