"""Property-based fuzzing of every parser (hypothesis), bounded for `make test`.

Each target of `tests.fuzz.targets` meets arbitrary bytes and real inputs
mutated (bytes flipped to quotes, commas, line ends, invalid UTF-8; spans cut,
doubled or stretched) and must keep its contract: records that can be stored
and rejections with a reason, or one clear refusal; no other exception, no
hang. Counts go to the run's summary line ("inputs fuzzed").
`make fuzz` runs the same targets coverage-guided (atheris) for longer.
"""

from __future__ import annotations

import gzip
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import TARGETS, seeds
from tests.tally import tried

EXAMPLES: Final = 120
SEED_BYTES: Final = 4096
# Bytes that change how a line is read: quotes, separators, line ends,
# escapes, JSON and YAML syntax, a lone UTF-8 lead byte and invalid bytes.
INTERESTING: Final = [
    b'"', b",", b"\n", b"\r", b"\t", b";", b"\\", b"{", b"}", b"[", b"]",
    b":", b"=", b"-", b"*", b"&", b"!", b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80",
    b"\x1f\x8b", b"9" * 12, b"-1", b"  ", b"%",
]  # fmt: skip
FUZZ: Final = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    """A real input of ``name``'s format, cut down and mutated a few times."""
    data = bytearray(draw(st.sampled_from(list(seeds(name))))[:SEED_BYTES])
    if draw(st.integers(0, 9)) == 0:  # now and then, gzip'd and maybe cut short
        packed = gzip.compress(bytes(data))
        data = bytearray(packed[: draw(st.integers(2, len(packed)))])
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.integers(0, 4))
        if kind == 0:
            data[at:at] = draw(st.sampled_from(INTERESTING))
        elif kind == 1:
            data[at:at] = draw(st.binary(max_size=16))
        elif kind == 2:
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == 3:
            span = data[at : at + draw(st.integers(1, 64))]
            data[at:at] = span * draw(st.integers(1, 8))
        elif at < len(data):
            data[at] = draw(st.sampled_from(INTERESTING))[0]
    return bytes(data)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_parser_survives_arbitrary_bytes(name: str) -> None:
    target = TARGETS[name]

    @FUZZ
    @given(st.binary(max_size=2048))
    def fuzz(data: bytes) -> None:
        target(data)
        tried("inputs fuzzed")

    fuzz()


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_parser_survives_mutated_real_input(name: str) -> None:
    target = TARGETS[name]

    @FUZZ
    @given(mutated(name))
    def fuzz(data: bytes) -> None:
        target(data)
        tried("inputs fuzzed")

    fuzz()


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_seed_is_read_whole(name: str) -> None:
    """The unmutated inputs give records: the targets reach the real parsers."""
    produced = [TARGETS[name](data) for data in seeds(name)]
    tried("inputs fuzzed", len(produced))
    assert produced and max(produced) > 0
