"""What the run tried, printed at its end: ``tried: 5000 inputs fuzzed, ...``.

A pytest plugin (registered in tests/conftest.py). Tests that try many things
(fuzzing, kills survived, role x route pairs checked, forged posts) add to a
named counter with `tried`; the terminal summary prints every counter, so a
run shows how much it tried and not only that it passed. Under pytest-xdist
each worker hands its counters to the controller when it finishes, and the
controller prints the sum.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

_counts: Counter[str] = Counter()
_KEY = "tutela_tally"


def tried(what: str, n: int = 1) -> None:
    """Add ``n`` to the counter ``what`` (e.g. "inputs fuzzed")."""
    _counts[what] += n


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts over
        workeroutput[_KEY] = dict(_counts)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist (controller): add a finished worker's counters."""
    _counts.update(getattr(node, "workeroutput", {}).get(_KEY, {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _counts:
        return
    line = ", ".join(f"{n} {what}" for what, n in sorted(_counts.items()))
    terminalreporter.write_line(f"tried: {line}")
