"""The orjson fast path gives exactly what the streaming path gives, on good and hostile input.

Each input is read twice, with whole-input parsing on (the default size limit) and off (limit
0, so every input and every JSON Lines line goes through the streaming, repairing path), and the
items are compared by ``repr`` so that 1 vs 1.0 and 0.0 vs -0.0 count as differences.
"""

from __future__ import annotations

import gzip
import io
import random
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from tenderlens.ocds import reader
from tenderlens.ocds.reader import Problem, ReadItem, ReadRelease, read_inputs

if TYPE_CHECKING:
    from pathlib import Path

# --- helpers ----------------------------------------------------------------------------------


def rel(n: int, extra: str | bytes = b"") -> bytes:
    """A release as JSON text, so that quirky numbers can be written in it verbatim."""
    start = (
        f'{{"ocid": "ocds-h6vhtk-{n:06x}", "id": "{n:06d}-2026", "date": "2026-09-03T18:08:41Z",'
        f' "tag": ["tender"], "tender": {{"id": "T{n}", "value": {{"amount": {n}.5,'
        f' "currency": "GBP"}}}}'
    ).encode()
    return start + (extra.encode() if isinstance(extra, str) else extra) + b"}"


def package(*releases: bytes, head: bytes = b'"uri": "https://example.org/p1", ') -> bytes:
    return b"{" + head + b'"releases": [' + b",\n".join(releases) + b"]}"


def both_ways(monkeypatch: pytest.MonkeyPatch, read: Any) -> tuple[list[str], list[str]]:
    """``read()``'s items as reprs, with the fast path on and then off."""
    fast = [repr(item) for item in read()]
    monkeypatch.setattr(reader, "_whole_max", 0)
    slow = [repr(item) for item in read()]
    return fast, slow


def assert_same_from_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[ReadItem]:
    fast, slow = both_ways(monkeypatch, lambda: list(read_inputs([path])))
    assert fast == slow
    monkeypatch.undo()
    return list(read_inputs([path]))


def assert_same_from_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    fast, slow = both_ways(monkeypatch, lambda: list(read_inputs(["-"], stdin=io.BytesIO(data))))
    assert fast == slow
    monkeypatch.undo()


# --- hand-written hostile inputs ----------------------------------------------------------------

NUMBERS = [
    b"1e9999", b"-1e9999", b"18446744073709551615", b"18446744073709551616",
    b"-9223372036854775808", b"-9223372036854775809", b"-0", b"-0.0", b"1e-400", b"0.1e1",
    b"1E2", b"000", b"-007.5", b"0012e3", b"123456789012345678901234567890", b"1.7976931348623157e308",
    b"2.2250738585072014e-308", b"0.30000000000000004", b"5e-324",
]  # fmt: skip

HOSTILE: dict[str, bytes] = {
    "plain package": package(rel(1), rel(2)),
    "bom": b"\xef\xbb\xbf" + package(rel(1)),
    "leading zeros": package(rel(1, ', "x": 000'), rel(2, ', "y": [1, -007.5]')),
    "leading zeros in text only": package(rel(1, ', "x": "a: 000, b"')),
    "delivery addresses as object": package(
        b'{"ocid": "o-1", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"], "tender":'
        b' {"items": [{"id": "1", "deliveryAddresses": {"1": {"region": "UKC"}}},'
        b' {"id": "2", "deliveryAddresses": {"region": "UKD"}}]}}'
    ),
    "duplicate keys": package(rel(1, ', "x": 1, "y": 2, "x": 3')),
    "marker text": package(rel(1, ', "x": "\\u0000tenderlens-leading-zeros:12"')),
    "truncated": package(rel(1), rel(2))[:-40],
    "invalid utf-8": package(rel(1), rel(2, ', "x": "caf\xe9"'.encode("latin-1"))),
    "lone surrogate": package(rel(1, ', "x": "\\ud800"')),
    "control character": package(rel(1, ', "x": "a\tb"')),
    "trailing comma": package(rel(1), rel(2)).replace(b"]}", b",]}"),
    "nesting": package(rel(1, b', "x": ' + b"[" * 200 + b"]" * 200)),
    "nesting beyond orjson's limit": b"[" + rel(1) + b", " + b"[" * 2000 + b"]" * 2000 + b"]",
    "concatenated": package(rel(1)) + b"\n" + package(rel(2)),
    "array of releases": b"[" + rel(1) + b", " + rel(2) + b"]",
    "array with a non-object": b"[" + rel(1) + b", 5, [1], null]",
    "array starting with a number": b"[5, " + rel(1) + b"]",
    "top-level string": b'"hello"',
    "top-level number": b"12",
    "not ocds object": b'{"foo": 1, "bar": [1, 2]}',
    "releases not an array": b'{"uri": "x", "releases": {"a": 1}}',
    "records not an array": b'{"uri": "x", "records": 5}',
    "bad items": package(b"5", b'"x"', b'{"url": "https://example.org/r/1"}', b'{"id": 1}', rel(3)),
    "records before releases": (
        b'{"records": [{"ocid": "o-2", "compiledRelease": ' + rel(2) + b'}], "releases": [' + rel(1) + b"]}"
    ),
    "duplicate releases key": package(rel(1), head=b'"releases": [' + rel(2) + b'], "uri": "x", '),
    "duplicate records key": b'{"records": [{"ocid": "o-2", "compiledRelease": '
    + rel(2)
    + b'}], "records": []}',
    "record package": (
        b'{"uri": "x", "records": [{"ocid": "o-1", "releases": [' + rel(1) + b", " + rel(2) + b"],"
        b' "compiledRelease": ' + rel(9) + b'}, {"ocid": "o-2", "compiledRelease": ' + rel(3) + b"},"
        b' {"ocid": "o-3"}, 7, {"ocid": "o-4", "releases": 3}]}'
    ),
    "compiled release only": b'{"releases": [{"url": "https://x/1"}], "compiledRelease": ' + rel(4) + b"}",
    "bare release": rel(5),
    "bare record": b'{"ocid": "o-1", "compiledRelease": ' + rel(6) + b"}",
    "whitespace": b"  \n\t ",
    "xml": b"<html></html>",
}
for index, number in enumerate(NUMBERS):
    HOSTILE[f"number {number.decode()}"] = package(rel(index, b', "n": ' + number))
    HOSTILE[f"number {number.decode()} in an array"] = package(
        rel(index, f', "n": [1, {number.decode()}, 2]')
    )


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("form", ["json", "jsonl", "gzip", "stdin"])
def test_hostile_input_reads_the_same_both_ways(tmp_path, monkeypatch, name, form):
    data = HOSTILE[name]
    if form == "stdin":
        assert_same_from_stdin(monkeypatch, data)
        return
    if form == "jsonl":  # each value on its own line, around a good line
        path = tmp_path / "x.jsonl"
        path.write_bytes(rel(100) + b"\n" + data.replace(b"\n", b" ") + b"\n" + rel(101) + b"\n")
    elif form == "gzip":
        path = tmp_path / "x.json.gz"
        path.write_bytes(gzip.compress(data))
    else:
        path = tmp_path / "x.json"
        path.write_bytes(data)
    assert_same_from_file(monkeypatch, path)


def test_random_floats_read_the_same_both_ways(tmp_path, monkeypatch):
    rng = random.Random(9)
    values = [rng.uniform(-1e6, 1e6) for _ in range(300)] + [
        rng.random() * 10 ** rng.randint(-300, 300) for _ in range(300)
    ]
    texts = [f"{value:.{rng.randint(1, 17)}g}" for value in values] + [repr(value) for value in values]
    releases = [rel(n, f', "n": {text}') for n, text in enumerate(texts)]
    path = tmp_path / "floats.json"
    path.write_bytes(package(*releases))
    items = assert_same_from_file(monkeypatch, path)
    assert len([item for item in items if isinstance(item, ReadRelease)]) == len(texts)


def test_problems_say_where_on_both_paths(tmp_path, monkeypatch):
    path = tmp_path / "x.json"
    path.write_bytes(HOSTILE["bad items"])
    items = assert_same_from_file(monkeypatch, path)
    wheres = [item.where for item in items if isinstance(item, Problem)]
    assert wheres == [f"{path}, releases[{index}]" for index in range(4)] or wheres[:3] == [
        f"{path}, releases[{index}]" for index in range(3)
    ]
    assert all(where.startswith(f"{path}, releases[") for where in wheres)


def test_valid_package_takes_the_fast_path(tmp_path, monkeypatch):
    """Without this, the comparisons above could pass with the fast path never taken."""

    def no_streaming(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("streamed")

    path = tmp_path / "x.json"
    path.write_bytes(package(rel(1), rel(2)))
    monkeypatch.setattr(reader.ijson, "basic_parse", no_streaming)
    assert len(list(read_inputs([path]))) == 2
    assert len(list(read_inputs(["-"], stdin=io.BytesIO(package(rel(1)))))) == 1
    monkeypatch.setattr(reader, "_whole_max", 0)
    with pytest.raises(AssertionError, match="streamed"):
        list(read_inputs([path]))


def test_input_over_the_size_limit_is_streamed(tmp_path, monkeypatch):
    path = tmp_path / "x.json"
    path.write_bytes(package(*(rel(n) for n in range(50))))
    monkeypatch.setattr(reader, "_whole_max", 1000)
    calls: list[int] = []
    real = reader.ijson.basic_parse

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reader.ijson, "basic_parse", counting)
    assert len(list(read_inputs([path]))) == 50
    assert calls


# --- real data and fixtures -----------------------------------------------------------------------


def test_reader_fixtures_read_the_same_both_ways(fixtures_dir, monkeypatch):
    files = sorted((fixtures_dir / "reader").iterdir())
    assert files
    for path in files:
        assert_same_from_file(monkeypatch, path)
        assert_same_from_stdin(monkeypatch, path.read_bytes())


@pytest.mark.shared
def test_shared_ocds_files_read_the_same_both_ways(shared_data, monkeypatch):
    root = shared_data / "ocds"
    files = sorted(path for path in root.rglob("*") if path.is_file())
    if not files:
        pytest.skip(f"no files under {root}")
    for path in files:
        assert_same_from_file(monkeypatch, path)
        assert_same_from_stdin(monkeypatch, path.read_bytes())


def test_jsonl_of_packages_reads_the_same_both_ways(tmp_path, monkeypatch):
    lines = [orjson.dumps(orjson.loads(package(rel(n), rel(n + 1)))) for n in range(0, 40, 2)]
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = assert_same_from_file(monkeypatch, path)
    assert len(items) == 40
