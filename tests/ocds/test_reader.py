"""The streaming OCDS reader: formats, positions, bad inputs, quirks, progress, real data."""

from __future__ import annotations

import gzip
import io
import json
import random
import string
import tracemalloc
from typing import TYPE_CHECKING, Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenderlens.ocds.reader import (
    Problem,
    ReadCompiledRelease,
    ReadItem,
    ReadRelease,
    input_size,
    read_inputs,
    release_problem,
)

if TYPE_CHECKING:
    from pathlib import Path

# --- helpers ----------------------------------------------------------------------------------


def rel(n: int, **extra: Any) -> dict[str, Any]:
    release: dict[str, Any] = {
        "ocid": f"ocds-h6vhtk-{n:06x}",
        "id": f"{n:06d}-2026",
        "date": "2026-09-03T18:08:41+01:00",
        "tag": ["tender"],
        "tender": {
            "id": f"T{n}",
            "title": f"Tender number {n}",
            "value": {"amount": n * 1000.5, "currency": "GBP"},
        },
    }
    release.update(extra)
    return release


def package(releases: list[Any], **meta: Any) -> dict[str, Any]:
    return {
        "uri": "https://example.org/p1",
        "version": "1.1",
        "publishedDate": "2026-09-03T19:00:00Z",
        **meta,
        "releases": releases,
    }


def dumps(value: Any, *, pretty: bool = False) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)


def jsonl(values: list[Any]) -> bytes:
    return b"".join(orjson.dumps(v) + b"\n" for v in values)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read(*paths: Path | str, **kwargs: Any) -> list[ReadItem]:
    return list(read_inputs(list(paths), **kwargs))


def good(items: list[ReadItem]) -> list[ReadRelease]:
    return [i for i in items if isinstance(i, ReadRelease)]


def problems(items: list[ReadItem]) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


def ids(items: list[ReadItem]) -> list[str]:
    return [i.release["id"] for i in good(items)]


def noisy_release(n: int, rng: random.Random, size: int = 600) -> dict[str, Any]:
    """A release with incompressible text, so gzip and chunk sizes behave as with real data."""
    text = "".join(rng.choice(string.ascii_letters + " ") for _ in range(size))
    return rel(n, description=text)


# --- formats ----------------------------------------------------------------------------------


def test_release_package_pretty(tmp_path):
    path = write(tmp_path, "page.json", dumps(package([rel(1), rel(2), rel(3)]), pretty=True))
    items = read(path)
    assert [type(i) for i in items] == [ReadRelease] * 3
    assert items[0] == ReadRelease(rel(1), f"{path}, releases[0] (id 000001-2026)", str(path), ())
    assert items[2].where == f"{path}, releases[2] (id 000003-2026)"


def test_release_package_single_line_with_metadata_after_releases(tmp_path):
    data = b'{"releases":' + dumps([rel(1), rel(2)]) + b',"uri":"x","links":{"next":"y"}}'
    assert ids(read(write(tmp_path, "p.json", data))) == ["000001-2026", "000002-2026"]


def test_bare_release(tmp_path):
    path = write(tmp_path, "release.json", dumps(rel(7), pretty=True))
    items = read(path)
    assert items == [ReadRelease(rel(7), f"{path} (id 000007-2026)", str(path), ())]


def test_integer_release_id_is_accepted_unchanged(tmp_path):
    items = read(write(tmp_path, "r.json", dumps(rel(1, id=42))))
    assert good(items)[0].release["id"] == 42
    assert good(items)[0].where.endswith("(id 42)")


def test_array_of_releases_and_array_of_packages(tmp_path):
    path = write(tmp_path, "a.json", dumps([rel(1), rel(2)], pretty=True))
    items = read(path)
    assert [i.where for i in items] == [f"{path}, [0] (id 000001-2026)", f"{path}, [1] (id 000002-2026)"]
    path = write(tmp_path, "b.json", dumps([package([rel(1)]), package([rel(2), rel(3)])]))
    items = read(path)
    assert ids(items) == ["000001-2026", "000002-2026", "000003-2026"]
    assert items[2].where == f"{path}, [1].releases[1] (id 000003-2026)"


def test_record_package(tmp_path):
    linked = {"url": "https://example.org/releases/1.json", "date": "2026-01-01T00:00:00Z", "tag": ["tender"]}
    records = [
        {"ocid": "ocds-h6vhtk-000001", "releases": [rel(1), linked]},  # one full, one linked
        {"ocid": "ocds-h6vhtk-000002", "compiledRelease": rel(2, tag=["compiled"])},
        {"ocid": "ocds-h6vhtk-000003", "releases": [linked], "compiledRelease": rel(3)},
        {"ocid": "ocds-h6vhtk-000004"},
    ]
    path = write(tmp_path, "records.json", dumps({"uri": "x", "records": records}, pretty=True))
    items = read(path)
    assert [type(i) for i in items] == [
        ReadRelease,
        Problem,
        ReadCompiledRelease,
        Problem,
        ReadCompiledRelease,
        Problem,
    ]
    assert items[0].where == f"{path}, records[0].releases[0] (id 000001-2026)"
    linked_problem = items[1]
    assert isinstance(linked_problem, Problem)
    assert not linked_problem.fatal
    assert linked_problem.where == f"{path}, records[0].releases[1]"
    assert "linked release" in linked_problem.message
    assert "https://example.org/releases/1.json" in linked_problem.message
    assert items[2] == ReadCompiledRelease(
        rel(2, tag=["compiled"]), f"{path}, records[1].compiledRelease", str(path)
    )
    assert items[4] == ReadCompiledRelease(rel(3), f"{path}, records[2].compiledRelease", str(path))
    assert items[5].where == f"{path}, records[3]"
    assert "no releases and no compiledRelease" in items[5].message


def test_bare_record_with_compiled_release_only(tmp_path):
    record = {"ocid": "ocds-h6vhtk-000002", "compiledRelease": rel(2)}
    path = write(tmp_path, "record.json", dumps(record))
    assert read(path) == [ReadCompiledRelease(rel(2), f"{path}, compiledRelease", str(path))]


def test_json_lines_of_releases_and_of_packages(tmp_path):
    path = write(tmp_path, "x.jsonl", jsonl([rel(1), package([rel(2), rel(3)]), rel(4)]))
    items = read(path)
    assert ids(items) == ["000001-2026", "000002-2026", "000003-2026", "000004-2026"]
    assert [i.where for i in items] == [
        f"{path}, line 1 (id 000001-2026)",
        f"{path}, line 2, releases[0] (id 000002-2026)",
        f"{path}, line 2, releases[1] (id 000003-2026)",
        f"{path}, line 3 (id 000004-2026)",
    ]


@pytest.mark.parametrize("name", ["x.ndjson", "x.json", "no-extension"])
def test_json_lines_recognised_by_content(tmp_path, name):
    # Blank lines are allowed; a bad line in the middle is skipped on its own (line mode).
    data = jsonl([rel(1), rel(2)]) + b"\n" + b'{"ocid": oops}\n' + jsonl([rel(3)])
    path = write(tmp_path, name, data)
    items = read(path)
    assert ids(items) == ["000001-2026", "000002-2026", "000003-2026"]
    (problem,) = problems(items)
    assert problem.where == f"{path}, line 4"
    assert not problem.fatal
    assert problem.message.startswith("invalid JSON")


def test_jsonl_named_file_with_a_quirky_first_line(tmp_path):
    first = b'{"ocid": "ocds-x", "id": "1", "date": "2026-01-01", "count": 007}'
    path = write(tmp_path, "q.jsonl", first + b"\n" + jsonl([rel(2)]))
    items = read(path)
    assert [(i.where, i.release.get("count")) for i in good(items)] == [
        (f"{path}, line 1 (id 1)", 7),
        (f"{path}, line 2 (id 000002-2026)", None),
    ]
    assert good(items)[0].repairs == ("count: number 007 has leading zeros (invalid JSON); read as 7",)


def test_jsonl_bad_lines_are_skipped_and_reading_goes_on(tmp_path):
    lines = [
        dumps(rel(1)),
        dumps(rel(2)),
        b'{"ocid": "ocds-x", "id": "1", "date": ',
        dumps(rel(4)),
        b"[1, 2",
        dumps(rel(6)),
    ]
    path = write(tmp_path, "bad.jsonl", b"\n".join(lines) + b"\n")
    items = read(path)
    assert ids(items) == ["000001-2026", "000002-2026", "000004-2026", "000006-2026"]
    assert [(p.where, p.fatal) for p in problems(items)] == [
        (f"{path}, line 3", False),
        (f"{path}, line 5", False),
    ]
    # Each bad line yields exactly its problem, in place.
    assert [type(i).__name__ for i in items] == [
        "ReadRelease",
        "ReadRelease",
        "Problem",
        "ReadRelease",
        "Problem",
        "ReadRelease",
    ]


def test_concatenated_and_pretty_printed_values(tmp_path):
    data = (
        dumps(package([rel(1)]))
        + b"\n"
        + dumps(rel(2), pretty=True)
        + dumps([rel(3), package([rel(4)])])
        + b"  "
        + dumps(rel(5))
    )
    path = write(tmp_path, "concat.json", data)
    items = read(path)
    assert [i.where for i in items] == [
        f"{path}, releases[0] (id 000001-2026)",
        f"{path}, value 2 (id 000002-2026)",
        f"{path}, value 3, [0] (id 000003-2026)",
        f"{path}, value 3, [1].releases[0] (id 000004-2026)",
        f"{path}, value 4 (id 000005-2026)",
    ]


def test_utf8_bom_and_non_ascii_text(tmp_path):
    release = rel(1, description='Café, Ysgol Gymraeg, “quotes”, \\ and " and \u2028 and 🚧')
    path = write(tmp_path, "bom.json", b"\xef\xbb\xbf" + dumps(package([release]), pretty=True))
    assert good(read(path))[0].release == release


FORMATS = {
    "package": lambda rels: dumps(package(rels), pretty=True),
    "array": dumps,
    "jsonl": jsonl,
    "jsonl-packages": lambda rels: jsonl([package([r]) for r in rels]),
    "concatenated": lambda rels: b"".join(dumps(r, pretty=True) for r in rels),
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", ["data.json.gz", "data.jsonl.gz", "data.json"])
def test_gzip_is_detected_by_magic_bytes(tmp_path, fmt, name):
    releases = [rel(1), rel(2), rel(3)]
    path = write(tmp_path, name, gzip.compress(FORMATS[fmt](releases)))
    items = read(path)
    assert [i.release for i in good(items)] == releases
    assert not problems(items)


# --- stdin, directories, missing paths, progress ------------------------------------------------


def test_stdin(tmp_path):
    items = read("-", stdin=io.BytesIO(dumps(package([rel(1), rel(2)]))))
    assert [(i.where, i.source) for i in items] == [
        ("<stdin>, releases[0] (id 000001-2026)", "-"),
        ("<stdin>, releases[1] (id 000002-2026)", "-"),
    ]


def test_stdin_gzipped_jsonl_and_leading_zero_quirk():
    data = jsonl([rel(1), rel(2)]) + b'{"ocid": "ocds-x", "id": "3", "date": "2026-01-01", "n": 007}\n'
    items = read("-", stdin=io.BytesIO(gzip.compress(data)))
    assert ids(items) == ["000001-2026", "000002-2026", "3"]
    assert good(items)[2].release["n"] == 7


def test_stdin_stream_with_leading_zeros_is_repaired_without_rereading():
    data = dumps(package([rel(1)]), pretty=True).replace(b'"amount": 1000.5', b'"amount": 0001000.5')
    items = read("-", stdin=io.BytesIO(data))
    (item,) = good(items)
    assert item.release["tender"]["value"]["amount"] == 1000.5
    assert item.repairs == (
        "tender.value.amount: number 0001000.5 has leading zeros (invalid JSON); read as 1000.5",
    )


def test_directory_is_read_recursively_in_order_skipping_hidden_and_other_files(tmp_path):
    root = tmp_path / "data"
    write(root, "a.json", dumps(package([rel(1), rel(2)])))
    write(root, "b/c.jsonl", jsonl([rel(3)]))
    write(root, "b/d.NDJSON", jsonl([rel(4)]))
    write(root, "b/.hidden.json", dumps(rel(99)))
    write(root, ".git/x.json", dumps(rel(98)))
    write(root, "notes.txt", b"not data")
    write(root, "b/e/f.gz", gzip.compress(dumps(rel(5))))
    write(root, "z.json.gz", gzip.compress(dumps(rel(6))))
    items = read(root)
    assert ids(items) == [f"{n:06d}-2026" for n in range(1, 7)]
    assert [i.source for i in items] == [
        str(root / "a.json"),
        str(root / "a.json"),
        str(root / "b/c.jsonl"),
        str(root / "b/d.NDJSON"),
        str(root / "b/e/f.gz"),
        str(root / "z.json.gz"),
    ]
    assert items[2].where == f"{root / 'b/c.jsonl'}, line 1 (id 000003-2026)"
    sizes = sum(
        p.stat().st_size
        for p in [
            root / "a.json",
            root / "b/c.jsonl",
            root / "b/d.NDJSON",
            root / "b/e/f.gz",
            root / "z.json.gz",
        ]
    )
    assert input_size([root]) == sizes


def test_empty_directory_is_a_fatal_problem(tmp_path):
    (tmp_path / "empty").mkdir()
    (problem,) = read(tmp_path / "empty")
    assert isinstance(problem, Problem)
    assert problem.fatal
    assert problem.where == str(tmp_path / "empty")


def test_explicit_file_is_read_whatever_its_name(tmp_path):
    assert ids(read(write(tmp_path, "export.txt", dumps(rel(1))))) == ["000001-2026"]


def test_missing_path_is_a_fatal_problem_and_reading_goes_on(tmp_path):
    missing = tmp_path / "nope.json"
    present = write(tmp_path, "yes.json", dumps(rel(1)))
    items = read(missing, present)
    assert items[0] == Problem(str(missing), "no such file or directory", str(missing), fatal=True)
    assert ids(items) == ["000001-2026"]
    assert input_size([missing, present]) == present.stat().st_size


def test_input_size_is_unknown_with_stdin(tmp_path):
    assert input_size([write(tmp_path, "a.json", b"{}"), "-"]) is None


def test_progress_adds_up_to_input_size(tmp_path):
    rng = random.Random(1)
    plain = write(
        tmp_path, "d/plain.json", dumps(package([noisy_release(n, rng) for n in range(400)]), pretty=True)
    )
    packed = write(
        tmp_path, "d/packed.json.gz", gzip.compress(jsonl([noisy_release(n, rng) for n in range(300)]))
    )
    calls: list[int] = []
    items = read(tmp_path / "d", progress=calls.append)
    assert len(good(items)) == 700
    assert sum(calls) == input_size([tmp_path / "d"]) == plain.stat().st_size + packed.stat().st_size
    assert len(calls) > 5  # reported as reading goes, not once at the end
    assert all(n > 0 for n in calls)


def test_progress_of_a_broken_input_still_adds_up(tmp_path):
    data = dumps(package([rel(n) for n in range(2000)]))
    middle = data.index(b',{"ocid"', len(data) // 2) + 1  # between two releases
    path = write(tmp_path, "broken.json", data[:middle] + b"@" + data[middle:])
    calls: list[int] = []
    items = read(path, progress=calls.append)
    assert problems(items)[-1].fatal
    assert sum(calls) == path.stat().st_size


def test_progress_on_stdin_counts_bytes_read():
    data = gzip.compress(dumps(package([rel(1)])))
    calls: list[int] = []
    read("-", stdin=io.BytesIO(data), progress=calls.append)
    assert sum(calls) == len(data)


# --- rejected releases ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "message"),
    [
        ([1, 2], "release is not a JSON object (it is an array)"),
        ("text", "release is not a JSON object (it is a string)"),
        ({"id": "1", "date": "2026-01-01T00:00:00Z"}, "release has no ocid"),
        ({"ocid": None, "id": "1", "date": "2026-01-01T00:00:00Z"}, "release has no ocid"),
        ({"ocid": "", "id": "1", "date": "2026-01-01T00:00:00Z"}, "release ocid is empty"),
        (
            {"ocid": 5, "id": "1", "date": "2026-01-01T00:00:00Z"},
            "release ocid is not a string (it is a number)",
        ),
        ({"ocid": "o", "date": "2026-01-01T00:00:00Z"}, "release has no id"),
        ({"ocid": "o", "id": None, "date": "2026-01-01T00:00:00Z"}, "release has no id"),
        ({"ocid": "o", "id": "", "date": "2026-01-01T00:00:00Z"}, "release id is empty"),
        (
            {"ocid": "o", "id": True, "date": "2026-01-01T00:00:00Z"},
            "release id is not a string or an integer (it is a boolean)",
        ),
        (
            {"ocid": "o", "id": 1.5, "date": "2026-01-01T00:00:00Z"},
            "release id is not a string or an integer (it is a number)",
        ),
        ({"ocid": "o", "id": "1"}, "release has no date"),
        ({"ocid": "o", "id": "1", "date": None}, "release date is null"),
        ({"ocid": "o", "id": "1", "date": 20260101}, "release date is not a string (it is a number)"),
        ({"ocid": "o", "id": "1", "date": "last Tuesday"}, "release date 'last Tuesday' is not a date-time"),
    ],
)
def test_release_problem(release, message):
    assert release_problem(release) == message


@pytest.mark.parametrize(
    "release", [rel(1), rel(1, id=7), rel(1, date="2026-01-01"), rel(1, date="2026-01-01T10:00:00Z")]
)
def test_release_problem_accepts(release):
    assert release_problem(release) is None


def test_rejected_releases_are_skipped_and_reading_goes_on(tmp_path):
    no_ocid = rel(2)
    del no_ocid["ocid"]
    releases = [rel(1), no_ocid, rel(3, date=None), "not an object", rel(5, date="soon"), rel(6)]
    path = write(tmp_path, "data.json", dumps(package(releases), pretty=True))
    items = read(path)
    assert ids(items) == ["000001-2026", "000006-2026"]
    assert [(p.where, p.message, p.fatal, p.source) for p in problems(items)] == [
        (f"{path}, releases[1] (id 000002-2026)", "release has no ocid; skipped", False, str(path)),
        (f"{path}, releases[2] (id 000003-2026)", "release date is null; skipped", False, str(path)),
        (f"{path}, releases[3]", "release is not a JSON object (it is a string); skipped", False, str(path)),
        (
            f"{path}, releases[4] (id 000005-2026)",
            "release date 'soon' is not a date-time; skipped",
            False,
            str(path),
        ),
    ]
    assert str(problems(items)[0]) == f"{path}, releases[1] (id 000002-2026): release has no ocid; skipped"


# --- unreadable inputs ----------------------------------------------------------------------------


def test_truncated_json(tmp_path):
    data = dumps(package([rel(1), rel(2), rel(3)]), pretty=True)
    cut = data.index(b'"000003-2026"')  # inside the third release
    path = write(tmp_path, "cut.json", data[:cut])
    items = read(path)
    assert ids(items) == ["000001-2026", "000002-2026"]
    problem = items[-1]
    assert isinstance(problem, Problem)
    assert problem.fatal
    assert problem.where == f"{path}, byte {cut}"
    assert problem.message.startswith("truncated JSON")
    assert "2 releases read before it" in problem.message


def test_truncated_large_file_yields_everything_before_the_cut(tmp_path):
    rng = random.Random(2)
    releases = [noisy_release(n, rng) for n in range(500)]  # ~350 KB: many parser chunks
    data = dumps(package(releases))
    cut = data.index(f'"{400:06d}-2026"'.encode())
    path = write(tmp_path, "cut.json", data[:cut])
    items = read(path)
    assert [i.release for i in good(items)] == releases[:400]
    assert items[-1].fatal
    assert "400 releases read before it" in items[-1].message


@pytest.mark.parametrize("padding", [0, 3, 29, 30, 31, 65536 * 2 + 5, 65536 * 3 - 2])
def test_invalid_character_position_is_exact(tmp_path, padding):
    head = b'{"releases": [' + dumps(rel(1)) + b"," + dumps(rel(2)) + b"," + b" " * padding
    data = head + b"@" + dumps(rel(3)) + b"]}"
    path = write(tmp_path, "bad.json", data)
    items = read(path)
    assert ids(items) == ["000001-2026", "000002-2026"]
    problem = items[-1]
    assert isinstance(problem, Problem)
    assert problem.fatal
    assert problem.where == f"{path}, near byte {len(head)}"
    assert problem.message == (
        "invalid JSON: unexpected character; 2 releases read before it; the rest of this input could not be read"
    )


def test_invalid_utf8(tmp_path):
    data = dumps(package([rel(1)]))[:-2] + b',{"ocid": "\xff\xfe"}]}'
    items = read(write(tmp_path, "latin.json", data))
    assert ids(items) == ["000001-2026"]
    assert items[-1].fatal
    assert "not valid UTF-8" in items[-1].message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"foo": 1}', "not an OCDS release, release package or record package (an object with keys foo)"),
        (b"{}", "not an OCDS release, release package or record package (an empty object)"),
        (b"[1, 2, 3]", "not an OCDS release, release package or record package (a number)"),
        (b'"hello"', "not an OCDS release, release package or record package (a string)"),
    ],
)
def test_not_ocds_is_fatal_and_the_next_input_is_read(tmp_path, data, expected):
    path = write(tmp_path, "other.json", data)
    after = write(tmp_path, "after.json", dumps(rel(1)))
    items = read(path, after)
    assert isinstance(items[0], Problem)
    assert items[0].fatal
    assert items[0].message == f"{expected}; the rest of this input was not read"
    assert items[0].where.startswith(str(path))
    assert ids(items[1:]) == ["000001-2026"]


def test_non_ocds_item_after_releases_is_skipped(tmp_path):
    path = write(tmp_path, "mixed.json", dumps([rel(1), {"foo": 1}, rel(3)]))
    items = read(path)
    assert ids(items) == ["000001-2026", "000003-2026"]
    (problem,) = problems(items)
    assert (problem.where, problem.fatal) == (f"{path}, [1]", False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty input: no JSON value"),
        (b"\x00\x01\x02\x03 binary", "not JSON: it starts with b'\\x00\\x01\\x02\\x03 binary'"),
        (
            b"PK\x03\x04\x14\x00",
            "not JSON: it starts with b'PK\\x03\\x04\\x14\\x00' (a zip archive; extract it first)",
        ),
        (b"<html><body>503</body></html>", "not JSON: it starts with b'<html><body>' (XML or HTML)"),
        (gzip.compress(b""), "empty input: gzip data that decompresses to nothing"),
    ],
)
def test_unreadable_inputs(tmp_path, data, message):
    path = write(tmp_path, "x.json", data)
    (problem,) = read(path)
    assert isinstance(problem, Problem)
    assert problem.fatal
    assert problem.message == message
    assert problem.where.startswith(str(path))


def test_empty_gz_file(tmp_path):
    path = write(tmp_path, "x.json.gz", b"")
    assert read(path) == [Problem(str(path), "empty file", str(path), fatal=True)]


def test_truncated_gzip_yields_what_it_can_then_a_fatal_problem(tmp_path):
    rng = random.Random(3)
    releases = [noisy_release(n, rng, size=2000) for n in range(200)]
    compressed = gzip.compress(dumps(package(releases)))
    path = write(tmp_path, "cut.json.gz", compressed[: len(compressed) // 2])
    items = read(path)
    got = [i.release for i in good(items)]
    assert 0 < len(got) < 200
    assert got == releases[: len(got)]
    problem = items[-1]
    assert isinstance(problem, Problem)
    assert problem.fatal
    assert problem.message.startswith("corrupt or truncated gzip data")
    assert f"{len(got)} releases read before it" in problem.message
    assert problem.where == f"{path}, near byte {path.stat().st_size}"


def test_gzip_with_a_corrupt_header(tmp_path):
    path = write(tmp_path, "x.json", b"\x1f\x8b this is not gzip data at all")
    (problem,) = read(path)
    assert isinstance(problem, Problem)
    assert problem.fatal
    assert problem.message.startswith("corrupt or truncated gzip data")
    assert "0 releases read before it" in problem.message


def test_corrupt_gzip(tmp_path):
    rng = random.Random(4)
    compressed = bytearray(
        gzip.compress(dumps(package([noisy_release(n, rng, size=2000) for n in range(100)])))
    )
    for offset in range(len(compressed) // 2, len(compressed) // 2 + 64):
        compressed[offset] ^= 0x55
    items = read(write(tmp_path, "bad.gz", bytes(compressed)))
    assert isinstance(items[-1], Problem)
    assert items[-1].fatal
    assert len(good(items)) < 100


# --- numbers and quirks ------------------------------------------------------------------------


NUMBERS = b"[0, -0, 1, -1, 0.1, -2.5e-7, 123456.78, 1e300, 5e-324, 1.7976931348623157e308, 9223372036854775807, -9223372036854775808, 18446744073709551615, 3.0, 1E2]"


@pytest.mark.parametrize("fmt", ["stream", "jsonl"])
def test_numbers_round_trip(tmp_path, fmt):
    text = b'{"ocid": "o", "id": "1", "date": "2026-01-01T00:00:00Z", "numbers": ' + NUMBERS + b"}"
    data = text + b"\n" + text + b"\n" if fmt == "jsonl" else b'{"releases": [' + text + b"]}"
    item = good(read(write(tmp_path, f"n.{fmt}", data)))[0]
    expected = orjson.loads(NUMBERS)
    assert item.release["numbers"] == expected
    assert [type(v) for v in item.release["numbers"]] == [type(v) for v in expected]
    assert orjson.dumps(item.release["numbers"]) == orjson.dumps(expected)
    assert item.repairs == ()


@pytest.mark.parametrize("fmt", ["stream", "jsonl", "stdin"])
def test_out_of_range_numbers_are_removed_and_recorded(tmp_path, fmt):
    text = (
        b'{"ocid": "o", "id": "1", "date": "2026-01-01T00:00:00Z",'
        b' "tender": {"value": {"amount": 1e9999, "currency": "GBP"}},'
        b' "list": [1, -1E400, 2], "big": 123456789012345678901234567890}'
    )
    data = text + b"\n" + text + b"\n" if fmt == "jsonl" else b'{"releases": [' + text + b"]}"
    items = read("-", stdin=io.BytesIO(data)) if fmt == "stdin" else read(write(tmp_path, f"n.{fmt}", data))
    assert not problems(items)
    item = good(items)[0]
    assert item.release == {
        "ocid": "o",
        "id": "1",
        "date": "2026-01-01T00:00:00Z",
        "tender": {"value": {"currency": "GBP"}},
        "list": [1, 2],
    }
    assert item.repairs == (
        "tender.value.amount: number 1E+9999 is out of range; removed",
        "list[1]: number -1E+400 is out of range; removed",
        "big: number 123456789012345678901234567890 is out of range; removed",
    )


def test_fts_quirks_fixture(fixtures_dir):
    """1e9999, " 000," and deliveryAddresses as an object, in one hand-written FTS-style page.

    The leading zeros make the first pass fail after the first release; the file is read again
    through the repairing filter, and the release already yielded is not yielded twice.
    """
    path = fixtures_dir / "reader" / "fts-quirks-page.json"
    calls: list[int] = []
    items = read(path, progress=calls.append)
    assert not problems(items)
    assert ids(items) == ["004512-2021", "004530-2021", "004541-2021"]
    first, second, third = good(items)
    assert "amount" not in first.release["tender"]["value"]
    assert first.release["tender"]["items"][0]["deliveryAddresses"] == [
        {"region": "UKJ36"},
        {"region": "UKJ37"},
    ]
    assert first.repairs == (
        "tender.value.amount: number 1E+9999 is out of range; removed",
        "tender.items[0].deliveryAddresses: object form converted to an array",
    )
    assert second.release["awards"][0]["value"] == {"amount": 0, "currency": "GBP"}
    assert second.release["awards"][0]["title"] == "Contract value: 000, see notice"
    assert second.repairs == (
        "awards[0].value.amount: number 000 has leading zeros (invalid JSON); read as 0",
    )
    assert third.release["tender"]["title"] == 'Market engagement for "000, 001" framework'
    assert third.repairs == ()
    assert second.where == f"{path}, releases[1] (id 004530-2021)"
    assert sum(calls) == path.stat().st_size  # the second pass is not counted twice


def test_leading_zero_retry_in_a_large_file_yields_each_release_once(tmp_path):
    rng = random.Random(5)
    releases = [noisy_release(n, rng) for n in range(600)]
    data = dumps(package(releases), pretty=True)
    marker = f'"{450:06d}-2026",'.encode()
    data = data.replace(marker, marker + b' "count": 0042,', 1)
    items = read(write(tmp_path, "lz.json", data))
    assert not problems(items)
    assert ids(items) == [f"{n:06d}-2026" for n in range(600)]
    assert good(items)[450].release["count"] == 42
    assert good(items)[450].repairs == ("count: number 0042 has leading zeros (invalid JSON); read as 42",)


def test_invalid_json_that_the_filter_cannot_fix_is_reported_once(tmp_path):
    data = dumps(package([rel(1), rel(2)]))[:-2] + b",{oops}]}"
    items = read(write(tmp_path, "x.json", data))
    assert ids(items) == ["000001-2026", "000002-2026"]
    assert len(problems(items)) == 1
    assert problems(items)[0].fatal


def test_delivery_addresses_repair_in_jsonl(tmp_path):
    release = rel(1, tender={"items": [{"id": "1", "deliveryAddresses": {"1": {"region": "UK"}}}]})
    item = good(read(write(tmp_path, "x.jsonl", jsonl([release, rel(2)]))))[0]
    assert item.release["tender"]["items"][0]["deliveryAddresses"] == [{"region": "UK"}]
    assert item.repairs == ("tender.items[0].deliveryAddresses: object form converted to an array",)


# --- every format agrees with orjson on arbitrary releases ----------------------------------------

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.sampled_from(['": 000,', "\\", '\\"', "£131,000,000", "\n", "[00]", "\u2028", "}]"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# Keys the reader looks at (structure, validation, quirks) are not generated.
RESERVED = {"ocid", "id", "date", "tender", "awards", "contracts", "releases", "records", "compiledRelease"}
release_strategy = st.builds(
    lambda n, extra: {**extra, "ocid": f"ocds-{n}", "id": str(n), "date": "2026-01-01T00:00:00Z"},
    st.integers(0, 10**6),
    st.dictionaries(
        st.text(max_size=8).filter(lambda k: k not in RESERVED),
        json_value,
        max_size=5,
    ),
)
writers = {
    "package": lambda rels: dumps(package(rels), pretty=True),
    "compact-package": lambda rels: dumps(package(rels)),
    "array": lambda rels: dumps(rels, pretty=True),
    "jsonl": jsonl,
    "concatenated": lambda rels: b"\n".join(dumps(r, pretty=True) for r in rels) or b"[]",
    "json-module": lambda rels: json.dumps(package(rels), indent=1, ensure_ascii=True).encode(),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    releases=st.lists(release_strategy, min_size=1, max_size=5),
    fmt=st.sampled_from(sorted(writers)),
    compress=st.booleans(),
)
def test_every_format_reads_back_what_was_written(tmp_path, releases, fmt, compress):
    data = writers[fmt](releases)
    if compress:
        data = gzip.compress(data)
    items = read(write(tmp_path, "any.json", data))
    assert not problems(items)
    assert [orjson.dumps(i.release) for i in good(items)] == [orjson.dumps(r) for r in releases]


# --- bounded memory ------------------------------------------------------------------------------


def _peak_memory(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for item in read_inputs([path]) if isinstance(item, ReadRelease))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.slow
def test_memory_does_not_grow_with_the_size_of_a_package(tmp_path):
    rng = random.Random(6)
    sample = [noisy_release(n, rng, size=3000) for n in range(50)]

    def generate(path: Path, count: int) -> Path:
        with path.open("wb") as out:
            out.write(b'{"uri": "x", "releases": [\n')
            for n in range(count):
                out.write((b",\n" if n else b"") + dumps(sample[n % 50] | {"id": str(n)}, pretty=True))
            out.write(b"\n]}\n")
        return path

    small = generate(tmp_path / "small.json", 1000)  # ~3.5 MB
    large = generate(tmp_path / "large.json", 8000)  # ~28 MB
    small_count, small_peak = _peak_memory(small)
    large_count, large_peak = _peak_memory(large)
    assert (small_count, large_count) == (1000, 8000)
    assert large.stat().st_size > 25_000_000
    assert large_peak < 8_000_000  # well under a third of the file
    assert large_peak < small_peak + 1_000_000  # and not growing with it


# --- real data ----------------------------------------------------------------------------------


@pytest.mark.shared
def test_every_real_file_reads_without_problems(shared_data):
    files = sorted((shared_data / "ocds").rglob("*.json"))
    assert len(files) >= 12
    for file in files:
        items = read(file)
        assert items, file
        assert not problems(items), (file, problems(items))


@pytest.mark.shared
@pytest.mark.parametrize(
    ("relative", "releases", "compiled"),
    [
        ("fts/pages/2026-09-03-p001.json", 5, 0),
        ("fts/pages/2026-09-03-p002.json", 3, 0),
        ("contracts-finder/cfserver1_TestData_search_page_2025-01-20.json", 100, 0),
        ("contracts-finder/cfserver1_EnglishData_releases.json", 201, 0),
        ("seed/ocds-h6vhtk-06a838-record-package.json", 0, 1),
    ],
)
def test_real_file_counts(shared_data, relative, releases, compiled):
    items = read(shared_data / "ocds" / relative)
    assert len(good(items)) == releases
    assert sum(isinstance(i, ReadCompiledRelease) for i in items) == compiled
    assert len(items) == releases + compiled


@pytest.mark.shared
def test_fts_members_are_one_release_each(shared_data):
    members = sorted((shared_data / "ocds/fts/members").glob("*.json"))
    assert members
    for member in members:
        (item,) = read(member)
        assert isinstance(item, ReadRelease)
        assert item.release["id"] == member.stem


@pytest.mark.shared
def test_real_releases_equal_a_plain_parse(shared_data):
    page = shared_data / "ocds/fts/pages/2026-09-03-p001.json"
    items = read(page)
    assert [i.release for i in good(items)] == orjson.loads(page.read_bytes())["releases"]
    assert items[0].where == f"{page}, releases[0] (id 083674-2026)"


@pytest.mark.shared
def test_real_delivery_addresses_quirk(shared_data):
    (item,) = read(shared_data / "ocds/fts/members/002109-2021.json")
    assert isinstance(item, ReadRelease)
    assert item.repairs == ("tender.items[0].deliveryAddresses: object form converted to an array",)
    assert item.release["tender"]["items"][0]["deliveryAddresses"] == [{"region": "UK"}]


@pytest.mark.shared
def test_real_directory_gzipped_and_as_jsonl(shared_data, tmp_path):
    cf = shared_data / "ocds/contracts-finder/cfserver1_EnglishData_releases.json"
    releases = orjson.loads(cf.read_bytes())
    write(tmp_path, "cf.jsonl.gz", gzip.compress(jsonl(releases)))
    items = read(tmp_path)
    assert [i.release for i in good(items)] == releases
    everything = read(shared_data / "ocds")
    assert not problems(everything)
    assert len(everything) == 5 + 3 + 7 + 100 + 201 + 1
