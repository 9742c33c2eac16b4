"""The gate's runtime backstop for a test run (`tutela.access.guard_reads`).

Clause use.purposes. Load it for every test with one line in
`tests/conftest.py` (``from tests.access.backstop import gate_backstop``), or
for one run with ``pytest -p tests.access.backstop``. It registers the
backstop on `Engine` once, for every engine the tests create, and fails a
test (at its teardown) whose product code read a personal table around the
gate, even when that code swallowed the `UngatedRead` it raised.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tutela.access import ReadGuard, guard_reads

_GUARD: list[ReadGuard] = []


def read_guard() -> ReadGuard:
    """The process's backstop, registered on `Engine` the first time it is asked for."""
    if not _GUARD:
        _GUARD.append(guard_reads())
    return _GUARD[0]


@pytest.fixture(autouse=True)
def gate_backstop() -> Iterator[ReadGuard]:
    """Every test: no product read of a personal table around the gate."""
    guard = read_guard()
    guard.take()
    yield guard
    found = guard.take()
    assert not found, "personal data read around the purpose gate:\n" + "\n".join(found)
