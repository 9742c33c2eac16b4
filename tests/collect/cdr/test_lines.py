"""Reading CDR input line by line: every physical line accounted for, in bounded memory."""

from __future__ import annotations

import io
import random

import pytest

from tutela.collect.cdr import _source
from tutela.collect.cdr._source import PhysicalLine, physical_lines

pytestmark = pytest.mark.clause("collect.service_use.call_records")

PIECES = [
    b"a",
    b"bc",
    b",",
    b'"',
    b"\n",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xe9",
    b"\xc3\xa9",
    b"x" * 9,
    b"\n\n",
]


def _both(data: bytes) -> tuple[list[PhysicalLine], list[PhysicalLine]]:
    blocks = list(physical_lines(io.BytesIO(data)))
    one_by_one = list(physical_lines(io.BytesIO(data), exact=True))
    return blocks, one_by_one


def test_lines_keep_numbers_and_drop_line_ends() -> None:
    data = "\ufeffa,b\r\n\nc\xe9\n".encode() + b"\xff,d"
    assert list(physical_lines(io.BytesIO(data))) == [
        PhysicalLine(1, "a,b", True),
        PhysicalLine(2, "", True),
        PhysicalLine(3, "c\xe9", True),
        PhysicalLine(4, "\udcff,d", False),
    ]


def test_an_overlong_line_is_flagged_cut_and_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_source, "MAX_LINE_BYTES", 300)
    monkeypatch.setattr(_source, "READ_BYTES", 64)
    data = b"ok\n" + b"y" * 1000 + b"\nnext\n" + b"z" * 301
    for lines in _both(data):
        assert lines == [
            PhysicalLine(1, "ok", True),
            PhysicalLine(2, "y" * 200, True, overlong=True),
            PhysicalLine(3, "next", True),
            PhysicalLine(4, "z" * 200, True, overlong=True),
        ]


@pytest.mark.parametrize("seed", range(40))
def test_block_reading_matches_reading_line_by_line(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(_source, "MAX_LINE_BYTES", rng.choice([5, 12, 40]))
    monkeypatch.setattr(_source, "READ_BYTES", rng.choice([1, 3, 7, 64]))
    data = b"".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 80)))
    blocks, one_by_one = _both(data)
    assert blocks == one_by_one
    text = data.decode("utf-8", "surrogateescape")
    assert list(physical_lines(io.StringIO(text, newline="\n"))) == list(
        physical_lines(io.StringIO(text, newline="\n"), exact=True)
    )


def test_exact_reading_leaves_the_stream_after_the_line() -> None:
    fh = io.BytesIO(b"first\nsecond\nthird")
    lines = physical_lines(fh, exact=True)
    assert next(lines) == PhysicalLine(1, "first", True)
    assert fh.read() == b"second\nthird"
