"""The benchmark scripts' own promises: generate.py's input and run.py's results files.

A benchmark figure means something only if its input is the same from run to run and shaped as
``generate.py`` says, and if ``run.py`` never loses a results file. ``tests/benchmarks/`` checks
the generator's OCDS shape and the mirror; this module adds the buyer pool (``--buyers``), the
command line, the exact stage sequence, and ``run.py``'s file names and percentiles. Nothing
here runs a real benchmark.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.benchmarks.scripts import bench_script

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

generator = bench_script("generate")
runner = bench_script("run")

RELEASES = 1_000
SEED = 7
POOL = 10
BASE_STAGES = ["planning", "tender", "award", "contract"]
STAGE_OF_TAG = {tags[0]: stage for stage, tags in generator.TAGS.items()}


def releases_of(releases: int, seed: int, buyers: int = 0) -> list[dict[str, Any]]:
    return list(generator.generate(releases, seed, buyers))


def by_ocid(releases: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [list(group) for _, group in itertools.groupby(releases, key=lambda r: r["ocid"])]


def instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)  # "…Z" and "…+01:00" alike, as aware datetimes


@pytest.fixture(scope="module")
def plain() -> list[dict[str, Any]]:
    return releases_of(RELEASES, SEED)


@pytest.fixture(scope="module")
def pooled() -> list[dict[str, Any]]:
    return releases_of(RELEASES, SEED, POOL)


# -- generate.py ----------------------------------------------------------------------------------


@pytest.mark.parametrize("buyers", [0, POOL])
def test_the_same_seed_gives_the_same_releases_and_another_seed_others(buyers: int) -> None:
    """The input is reproducible for a seed (with or without a pool), and the seed matters."""
    first = releases_of(200, 1, buyers)
    assert first == releases_of(200, 1, buyers)
    assert first != releases_of(200, 2, buyers)


@pytest.mark.parametrize("count", [0, 1, 2, 9, 333])
def test_exactly_the_number_of_releases_asked_for(count: int) -> None:
    """The last process is cut short so the total is exact, not rounded up to whole processes."""
    assert len(releases_of(count, 3)) == count
    assert len(releases_of(count, 3, buyers=2)) == count


def test_every_release_has_an_fts_ocid_an_id_a_date_and_a_tag(plain: list[dict[str, Any]]) -> None:
    """The fields every OCDS release needs, with the FTS ocid prefix the store expects."""
    for release in plain:
        assert release["ocid"].startswith("ocds-h6vhtk-")
        assert isinstance(release["id"], str)
        assert release["id"]
        assert instant(release["date"]).tzinfo is not None
        assert len(release["tag"]) == 1
        assert release["tag"][0] in STAGE_OF_TAG
    assert len({(release["ocid"], release["id"]) for release in plain}) == len(plain)


def test_each_ocid_has_one_to_eight_consecutive_releases_in_stage_and_date_order(
    plain: list[dict[str, Any]],
) -> None:
    """What ``_stages`` gives: planning or tender first, the next stages in turn, then changes."""
    groups = by_ocid(plain)
    assert len({group[0]["ocid"] for group in groups}) == len(groups)  # an ocid never comes back
    assert {len(group) for group in groups} == set(range(1, 9))
    starts = set()
    for group in groups:
        stages = [STAGE_OF_TAG[release["tag"][0]] for release in group]
        if len(stages) >= 4:
            assert stages == [*BASE_STAGES, *["change"] * (len(stages) - 4)], group[0]["ocid"]
        else:
            assert stages in (BASE_STAGES[: len(stages)], BASE_STAGES[1 : 1 + len(stages)]), stages
            starts.add(stages[0])
        instants = [instant(release["date"]) for release in group]
        assert instants == sorted(instants)
        assert len(set(instants)) == len(instants)
    assert starts == {"planning", "tender"}  # short histories start either way


def buyer_ids(releases: list[dict[str, Any]]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for release in releases:
        ids.setdefault(release["ocid"], set()).add(release["buyer"]["id"])
        assert release["parties"][0]["id"] == release["buyer"]["id"]
        assert release["parties"][0]["roles"] == ["buyer"]
    return ids


def test_without_a_pool_each_process_has_its_own_buyer(plain: list[dict[str, Any]]) -> None:
    """The default: no two processes share a buyer, and a process keeps its buyer throughout."""
    per_ocid = buyer_ids(plain)
    assert all(len(ids) == 1 for ids in per_ocid.values())
    assert len(set().union(*per_ocid.values())) == len(per_ocid)


@pytest.mark.parametrize("pool", [1, 3, POOL])
def test_a_pool_of_n_gives_at_most_n_buyers_shared_between_processes(pool: int) -> None:
    """``--buyers N``: buyers repeat across processes, drawn from N at most."""
    per_ocid = buyer_ids(releases_of(RELEASES, SEED, pool))
    assert all(len(ids) == 1 for ids in per_ocid.values())
    distinct = set().union(*per_ocid.values())
    assert len(distinct) <= pool
    assert len(distinct) < len(per_ocid)
    if pool == POOL:
        assert len(distinct) > 1  # the pool is drawn from, not its first buyer every time


def differences(a: Any, b: Any, path: str = "") -> Iterator[str]:
    """The paths where ``b`` differs from ``a``; list indexes as ``*``, except the buyer party's 0."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for key in a:
            yield from differences(a[key], b[key], f"{path}.{key}" if path else key)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            step = "0" if path == "parties" and index == 0 else "*"
            yield from differences(x, y, f"{path}.{step}")
    elif a != b:
        yield path


# What a pool buyer changes, read off ``Process``: the buyer's id and name, the buyer party built
# from them, the title ("… for <buyer name>"), and everything addressed with the buyer's town and
# region, which includes the suppliers' addresses and the items' delivery addresses.
BUYER_FIELDS = {
    "buyer.id",
    "buyer.name",
    "parties.0.id",
    "parties.0.name",
    "parties.0.identifier.id",
    "parties.0.contactPoint.email",
    "parties.0.address.locality",
    "parties.0.address.postalCode",
    "parties.0.address.region",
    "parties.*.address.locality",
    "parties.*.address.region",
    "tender.title",
    "tender.items.*.deliveryAddresses.*.locality",
    "tender.items.*.deliveryAddresses.*.region",
}


def test_a_pool_changes_the_buyer_and_nothing_drawn_after_it(
    plain: list[dict[str, Any]], pooled: list[dict[str, Any]]
) -> None:
    """The module's claim: with ``--buyers`` every other field is drawn exactly as without.

    So a pool's figures differ from the default's only by who the buyers are, not by a shifted
    random stream (other values, lots, stages or dates).
    """
    assert len(pooled) == len(plain)
    changed: set[str] = set()
    for before, after in zip(plain, pooled, strict=True):
        paths = set(differences(before, after))
        assert paths <= BUYER_FIELDS, (before["ocid"], sorted(paths - BUYER_FIELDS))
        changed |= paths
        name_before, name_after = before["buyer"]["name"], after["buyer"]["name"]
        assert before["tender"]["title"].endswith(f" for {name_before}")
        assert after["tender"]["title"] == before["tender"]["title"].removesuffix(name_before) + name_after
    assert sum(a["buyer"]["id"] != b["buyer"]["id"] for a, b in zip(plain, pooled, strict=True)) > 0.9 * len(
        plain
    )
    assert {"buyer.id", "parties.0.address.postalCode", "tender.title"} <= changed  # not vacuous


def test_main_rejects_a_negative_pool_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--buyers -1`` is a usage error (as in run.py), not a silent "no pool"."""
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as exit_info:
        generator.main(["--releases", "3", "--buyers", "-1", "-o", str(out)])
    assert exit_info.value.code == 2
    assert "--buyers" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("buyers", [0, 4])
def test_main_writes_json_lines_or_one_release_package_of_the_generated_releases(
    tmp_path: Path, buyers: int
) -> None:
    """The file the benchmarks read holds exactly ``generate()``'s releases, in either format."""
    expected = releases_of(25, 9, buyers)
    lines, package = tmp_path / "releases.jsonl", tmp_path / "package.json"
    common = ["--releases", "25", "--seed", "9", "--buyers", str(buyers)]
    generator.main([*common, "-o", str(lines)])
    generator.main([*common, "--package", "-o", str(package)])
    assert [json.loads(line) for line in lines.read_text().splitlines()] == expected
    parsed = json.loads(package.read_text())  # one JSON document, not lines
    assert parsed["version"] == "1.1"
    assert parsed["releases"] == expected


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 30])
def test_long_history_is_n_releases_of_one_ocid_in_date_order(count: int) -> None:
    """The recompile benchmark's history: one ocid, as long as asked, each release later."""
    history = list(generator.long_history(count, seed=4))
    assert len(history) == count
    assert len({release["ocid"] for release in history}) == 1
    assert len({release["id"] for release in history}) == count
    instants = [instant(release["date"]) for release in history]
    assert instants == sorted(instants)
    assert len(set(instants)) == count
    assert list(generator.long_history(count, seed=4)) == history


# -- run.py: percentiles ----------------------------------------------------------------------------


def test_percentile_is_a_value_of_the_sample_from_its_minimum_to_its_maximum() -> None:
    """Whatever the rank rule, a percentile is one of the values, ordered, and p100 the maximum."""
    values = [random.Random(n).random() for n in range(57)]
    shuffled = values[::-1]
    ranks = [runner.percentile(shuffled, pct) for pct in range(101)]
    assert shuffled == values[::-1]  # the caller's list is not sorted in place
    assert set(ranks) <= set(values)
    assert ranks == sorted(ranks)
    assert ranks[0] == min(values)
    assert ranks[-1] == max(values)
    assert runner.percentile([0.25], 99) == 0.25


def test_percentile_is_the_nearest_rank() -> None:
    """Nearest rank, ceil(pct * n / 100); the old ``round(x + 0.5)`` took halves to even, one rank high."""
    assert runner.percentile([float(n) for n in range(1, 101)], 95) == 95
    assert runner.percentile([float(n) for n in range(1, 101)], 99) == 99
    assert runner.percentile([float(n) for n in range(1, 11)], 50) == 5


def test_ms_reports_p50_p95_p99_in_milliseconds_and_the_count() -> None:
    """Timings are taken in seconds and reported in ms, rounded to 0.01 ms."""
    assert runner.ms([0.0012345] * 4) == {"p50": 1.23, "p95": 1.23, "p99": 1.23, "n": 4}
    figures = runner.ms([n / 1000 for n in range(1, 201)])
    assert figures["n"] == 200
    assert figures["p50"] <= figures["p95"] <= figures["p99"] <= 200


# -- run.py: results files --------------------------------------------------------------------------


def test_dataset_names_the_input_by_size_and_buyer_pool() -> None:
    """The part of every input, store and results name that tells one input from another."""
    assert runner.dataset(100_000, 0) == "100000"
    assert runner.dataset(100_000, 5_000) == "100000-buyers5000"


@pytest.fixture
def run_main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``run.main`` on a tiny input with its results directory under ``tmp_path``, on a fixed day.

    The parts asked for (search, notice) skip themselves with no store, so no benchmark runs;
    only the input is generated and the results file written. Returns the file it wrote.
    """
    (tmp_path / "benchmarks").mkdir()
    monkeypatch.setattr(runner, "ROOT", tmp_path)
    monkeypatch.setattr(runner, "HERE", tmp_path / "benchmarks")
    results = tmp_path / "benchmarks" / "results"

    def main(*args: str, day: str = "2030-01-02") -> Path:
        class Today(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> Today:
                return cls.fromisoformat(f"{day}T03:04:05").replace(tzinfo=tz or UTC)

        monkeypatch.setattr(runner, "datetime", Today)
        before = set(results.glob("*")) if results.exists() else set()
        runner.main(["--releases", "5", "--workdir", str(tmp_path / "work"), *args])
        (written,) = set(results.glob("*")) - before  # one new file each run
        return written

    return main


def test_a_second_run_of_the_same_day_size_and_parts_is_numbered_not_overwritten(
    run_main: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Two A/B runs were lost to an overwrite once: the first file stays, the next are -2, -3."""
    first = run_main("--only", "search")
    assert first.name == "2030-01-02-5-search.json"
    first.write_text('{"run": 1}\n')  # a mark an overwrite would lose
    second = run_main("--only", "search")
    third = run_main("--only", "search")
    assert [second.name, third.name] == ["2030-01-02-5-search-2.json", "2030-01-02-5-search-3.json"]
    assert first.read_text() == '{"run": 1}\n'
    for path in (second, third):
        results = json.loads(path.read_text())
        assert (results["releases"], results["date"]) == (5, "2030-01-02T03:04:05+00:00")
    assert "written: benchmarks/results/2030-01-02-5-search-3.json" in capsys.readouterr().out


def test_another_day_size_pool_or_parts_gets_its_own_unnumbered_name(
    run_main: Callable[..., Path],
) -> None:
    """Numbering is for a repeat only; a different run is told apart by its name."""
    assert run_main("--only", "search").name == "2030-01-02-5-search.json"
    assert run_main("--only", "search", day="2030-01-03").name == "2030-01-03-5-search.json"
    assert run_main("--only", "search", "--releases", "6").name == "2030-01-02-6-search.json"
    assert run_main("--only", "search", "--buyers", "3").name == "2030-01-02-5-buyers3-search.json"
    assert run_main("--only", "search,notice").name == "2030-01-02-5-search-notice.json"


@pytest.mark.slow
@pytest.mark.parametrize("workers", [0, 2])
def test_the_ingest_part_runs_with_the_workers_asked_for_and_counts_each_ones_memory(
    run_main: Callable[..., Path], workers: int
) -> None:
    written = run_main("--only", "ingest", "--workers", str(workers))
    ingest = json.loads(written.read_text())["ingest"]
    assert ingest["releases"] == 5
    assert ingest["workers"] == workers
    assert (ingest["worker_peak_rss_mb"] > 0) == (workers > 0)
    both = ingest["peak_rss_mb"] + workers * ingest["worker_peak_rss_mb"]
    assert ingest["peak_rss_total_mb"] == pytest.approx(both, abs=0.11)
    assert 0 < ingest["peak_rss_together_mb"] <= ingest["peak_rss_total_mb"] + 20  # sampled at once


# A parent holding 40 MB while its child holds 160 MB, then 140 MB after the child has exited:
# at once they hold at most 200 MB (and two interpreters), though their own peaks add up to 300.
STAGGERED = """
import subprocess, sys, time
held = bytearray(40 << 20)
subprocess.run([sys.executable, "-c", "import time; b = bytearray(160 << 20); time.sleep(1.5)"], check=True)
more = bytearray(100 << 20)
time.sleep(1.5)
"""


@pytest.mark.slow
def test_memory_sampled_at_once_counts_the_children_but_not_peaks_at_different_moments() -> None:
    done, peak_kb = runner.run_sampled([sys.executable, "-c", STAGGERED], every=0.1)
    assert done.returncode == 0
    # Without the child it would be at most 140 MB and an interpreter; added, over 300 MB.
    assert 200 < peak_kb / 1024 < 260


def test_memory_of_a_process_that_is_gone_is_zero() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # reaped: its /proc entry is gone
    assert runner.tree_rss_kb(process.pid) == 0


def test_the_share_of_a_file_in_the_page_cache_is_a_fraction_or_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("fincore") is None:
        pytest.skip("util-linux fincore is not installed")
    written = tmp_path / "data.bin"
    written.write_bytes(b"x" * (1 << 20))
    written.read_bytes()  # just written and read: in the page cache
    share = runner.resident_share(written)
    assert share is not None
    assert 0 < share <= 1
    assert runner.resident_share(tmp_path / "missing.bin") is None
    monkeypatch.setenv("PATH", str(tmp_path))  # no fincore to be found
    assert runner.resident_share(written) is None


def _on_tmpfs(path: Path) -> bool:
    """Whether ``path`` is on a tmpfs, whose pages are its storage and cannot be dropped."""
    mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    resolved = str(path.resolve())
    found = max(
        (
            fields
            for fields in mounts
            if resolved == fields[1] or resolved.startswith(fields[1].rstrip("/") + "/")
        ),
        key=lambda fields: len(fields[1]),
        default=None,
    )
    return found is not None and found[2] == "tmpfs"


def test_files_dropped_from_the_page_cache_are_read_from_the_disk_again(tmp_path: Path) -> None:
    if shutil.which("fincore") is None:
        pytest.skip("util-linux fincore is not installed")
    if _on_tmpfs(tmp_path):
        pytest.skip("a tmpfs keeps its files in the page cache")
    dropped, kept = tmp_path / "store.sqlite", tmp_path / "other.bin"
    for path in (dropped, kept):
        path.write_bytes(random.Random(3).randbytes(4 << 20))  # written, not yet synced: dirty pages
        path.read_bytes()
    assert (runner.resident_share(dropped) or 0) > 0.9
    runner.evict_from_page_cache([dropped])
    assert runner.resident_share(dropped) == 0
    assert (runner.resident_share(kept) or 0) > 0.9
    assert dropped.read_bytes() == random.Random(3).randbytes(4 << 20)  # nothing lost


def test_a_stores_files_are_its_database_its_log_and_its_text_index(tmp_path: Path) -> None:
    database = tmp_path / "store.sqlite"
    assert runner.store_files(database) == []
    database.write_bytes(b"db")
    (tmp_path / "store.sqlite-wal").write_bytes(b"wal")
    (tmp_path / "store.sqlite-shm").write_bytes(b"shm")  # shared memory, mapped: not a store file
    (tmp_path / "store.sqlite.search" / "segment").mkdir(parents=True)
    (tmp_path / "store.sqlite.search" / "meta.json").write_bytes(b"{}")
    (tmp_path / "store.sqlite.search" / "segment" / "a.idx").write_bytes(b"idx")
    (tmp_path / "other.sqlite").write_bytes(b"another store")
    assert runner.store_files(database) == [
        database,
        tmp_path / "store.sqlite-wal",
        tmp_path / "store.sqlite.search" / "meta.json",
        tmp_path / "store.sqlite.search" / "segment" / "a.idx",
    ]


def test_a_cold_notice_run_needs_an_sqlite_store() -> None:
    with pytest.raises(SystemExit, match="needs an SQLite store"):
        runner.bench_notice("postgresql+psycopg://127.0.0.1:1/nowhere", 3, cold=True)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////tmp/store.sqlite", "/tmp/store.sqlite"),
        ("sqlite:///store.sqlite?timeout=5", "store.sqlite"),
        ("sqlite:///:memory:", None),
        ("sqlite:///", None),
        ("postgresql+psycopg://localhost/test", None),
    ],
)
def test_the_database_file_of_a_store_url(url: str, path: str | None) -> None:
    found = runner.sqlite_path(url)
    assert (None if found is None else str(found)) == path


@pytest.mark.slow
def test_the_notice_part_times_each_page_twice_and_says_how_much_of_the_store_was_cached(
    run_main: Callable[..., Path],
) -> None:
    notice = json.loads(run_main("--only", "ingest,notice", "--notice-samples", "3").read_text())["notice"]
    for label in ("json", "page", "page_repeat"):
        assert notice[label]["n"] == notice["samples"] > 0
        assert 0 < notice[label]["p50"] <= notice[label]["p99"]
    if shutil.which("fincore") is not None:
        assert 0 < notice["store_in_page_cache_before"] <= 1
        assert 0 < notice["store_in_page_cache_after"] <= 1
    table = dict(runner.rows({"notice": notice}))
    assert "notice page, repeat view over HTTP p50/p99 ms" in table
    del notice["page_repeat"]  # a results file from before the repeat view still reads
    assert "notice page over HTTP p50/p99 ms" in dict(runner.rows({"notice": notice}))


@pytest.mark.slow
def test_a_cold_notice_run_starts_with_none_of_the_store_in_the_page_cache(
    run_main: Callable[..., Path], tmp_path: Path
) -> None:
    notice = json.loads(
        run_main("--only", "ingest,notice", "--notice-samples", "3", "--notice-cold").read_text()
    )["notice"]
    assert notice["cold"] is True
    assert notice["page"]["n"] == notice["samples"] > 0
    if shutil.which("fincore") is not None and not _on_tmpfs(tmp_path):
        assert notice["store_in_page_cache_before"] == 0
        assert 0 < notice["store_in_page_cache_after"] <= 1
    assert (
        dict(runner.rows({"notice": notice}))["notice: the store's files dropped from the page cache first"]
        == "yes"
    )


def test_the_compile_part_takes_each_engines_fastest_pass_and_keeps_every_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = tmp_path / "releases.jsonl"
    lines.write_bytes(b"".join(json.dumps(release).encode() + b"\n" for release in releases_of(60, SEED)))
    monkeypatch.setattr(runner, "SCHEMA", tmp_path / "no-schema.json")  # ocdskit is not the point here
    result = runner.bench_compile(tmp_path, lines, 60, passes=3)
    assert result["passes"] == 3
    ours, theirs = result["tenderlens_pass_seconds"], result["ocdsmerge_pass_seconds"]
    assert len(ours) == len(theirs) == 3
    assert all(seconds > 0 for seconds in ours + theirs)
    # Each rate and the ratio come from the fastest pass, not the first or the mean.
    assert result["tenderlens_releases_per_s"] == pytest.approx(
        result["releases"] / min(ours), rel=1e-3, abs=1
    )
    assert result["ocdsmerge_releases_per_s"] == pytest.approx(
        result["releases"] / min(theirs), rel=1e-3, abs=1
    )
    assert result["tenderlens_vs_ocdsmerge"] == pytest.approx(min(theirs) / min(ours), abs=0.01)
    assert result["identical_to_ocdsmerge"] == f"{result['ocids']}/{result['ocids']}"
    assert result["ocdskit"].startswith("skipped")


@pytest.mark.parametrize(("flag", "value"), [("--compile-passes", "0"), ("--buyers", "-1")])
def test_run_rejects_a_bad_count_before_it_makes_its_workdir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    work = tmp_path / "work"
    with pytest.raises(SystemExit) as exit_info:
        runner.main(["--releases", "3", "--only", "compile", "--workdir", str(work), flag, value])
    assert exit_info.value.code == 2
    assert flag in capsys.readouterr().err
    assert not work.exists()
