"""The benchmark generator: deterministic for a seed, valid OCDS, FTS-like histories.

The benchmarks only mean something if the input is stable from run to run (the same seed
gives the same bytes) and shaped like FTS data (1-8 releases per ocid in date order, walking
planning -> tender -> award -> contract -> changes), so these check exactly that at a small size.
"""

from __future__ import annotations

import io
import itertools
import json
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from tenderlens.ocds.dates import parse_instant
from tests.benchmarks.scripts import bench_script

if TYPE_CHECKING:
    from pathlib import Path

generator = bench_script("generate")
TAGS, long_history, write = generator.TAGS, generator.long_history, generator.write

RELEASES = 400
STAGE_RANK = {tags[0]: rank for rank, tags in enumerate(TAGS.values())}


def written(releases: int, seed: int, *, package: bool = False) -> bytes:
    out = io.BytesIO()
    write(out, releases, seed, package=package)
    return out.getvalue()


@pytest.fixture(scope="module")
def releases() -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in written(RELEASES, 3).splitlines()]


def by_ocid(releases: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [list(group) for _, group in itertools.groupby(releases, key=lambda r: r["ocid"])]


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_data() -> None:
    first = written(300, 5)
    assert first == written(300, 5)
    assert first != written(300, 6)
    # A longer run starts with the same processes: sizes share their common prefix.
    assert written(600, 5).startswith(first[: first.rindex(b"\n", 0, len(first) // 2)])


def test_exactly_the_releases_asked_for_each_ocid_together_with_one_to_eight(
    releases: list[dict[str, Any]],
) -> None:
    assert len(releases) == RELEASES
    groups = by_ocid(releases)
    assert len({group[0]["ocid"] for group in groups}) == len(groups)  # no ocid comes back later
    sizes = [len(group) for group in groups]
    assert min(sizes) >= 1
    assert max(sizes) <= 8
    assert len(set(sizes)) >= 5  # a spread of history lengths, not one fixed size
    assert len({(r["ocid"], r["id"]) for r in releases}) == RELEASES


def test_dates_increase_within_each_ocid_and_mix_offsets(releases: list[dict[str, Any]]) -> None:
    for group in by_ocid(releases):
        instants = [parse_instant(release["date"]) for release in group]
        assert all(instant is not None for instant in instants)
        assert instants == sorted(instants), group[0]["ocid"]  # type: ignore[type-var]
        assert len(set(instants)) == len(instants)
    offsets = {release["date"][-1] for release in releases}
    assert offsets == {"Z", "0"}  # "…Z" and "…+01:00", as FTS publishes


def test_each_history_walks_the_stages_in_order(releases: list[dict[str, Any]]) -> None:
    for group in by_ocid(releases):
        ranks = [STAGE_RANK[release["tag"][0]] for release in group]
        assert ranks == sorted(ranks), [r["tag"] for r in group]
        assert ranks[0] <= STAGE_RANK["tender"]
    stages = {release["tag"][0] for release in releases}
    assert stages == set(STAGE_RANK)


def test_releases_carry_cpv_regions_values_lots_and_text(releases: list[dict[str, Any]]) -> None:
    for release in releases:
        tender = release["tender"]
        assert tender["classification"]["scheme"] == "CPV"
        assert len(tender["classification"]["id"]) == 8
        assert tender["value"]["amount"] > 0
        assert tender["value"]["currency"] == "GBP"
        assert 1 <= len(tender["lots"]) <= 4
        assert len(tender["description"].split()) >= 40
        buyer = next(party for party in release["parties"] if "buyer" in party["roles"])
        assert buyer["address"]["region"].startswith("UK")
        if release["tag"][0] in {"award", "contract", "contractAmendment"}:
            assert len(release["awards"]) == len(tender["lots"])
        if release["tag"][0] == "contractAmendment":
            assert all(contract["amendments"] for contract in release["contracts"])
    sizes = [len(orjson.dumps(release)) for release in releases]
    assert 2_500 < sum(sizes) / len(sizes) < 6_000  # about 4 KB, like FTS releases


@pytest.mark.shared
def test_every_release_is_valid_against_the_ocds_release_schema(
    releases: list[dict[str, Any]], shared_data: Path
) -> None:
    import jsonschema

    schema_path = shared_data / "ocds-schema" / "1.1" / "dereferenced-release-schema.json"
    validator = jsonschema.Draft4Validator(json.loads(schema_path.read_text()))
    problems = [
        f"{release['ocid']}/{release['id']}: {error.json_path}: {error.message}"
        for release in releases
        for error in validator.iter_errors(release)
    ]
    assert problems == []


def test_package_output_is_one_release_package_of_the_same_releases(
    releases: list[dict[str, Any]],
) -> None:
    package = orjson.loads(written(RELEASES, 3, package=True))
    assert package["version"] == "1.1"
    assert package["releases"] == releases


def test_long_history_is_one_ocid_with_unique_ids_in_date_order() -> None:
    history = list(long_history(40, seed=2))
    assert len(history) == 40
    assert {release["ocid"] for release in history} == {history[0]["ocid"]}
    assert len({release["id"] for release in history}) == 40
    instants = [parse_instant(release["date"]) for release in history]
    assert instants == sorted(instants)  # type: ignore[type-var]
    assert [release["tag"][0] for release in history[:4]] == ["planning", "tender", "award", "contract"]
    assert {release["tag"][0] for release in history[4:]} == {"contractAmendment"}
    assert list(long_history(40, seed=2)) == history
