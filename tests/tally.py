"""What the run tried, printed at its end: ``tried: 5000 inputs fuzzed, ...``.

A pytest plugin (registered in tests/conftest.py). Tests that try many things
(fuzzing, kills, role x route pairs) add to a named counter with `tried`;
the terminal summary prints every counter, so a run shows how much it tried
and not only that it passed.
"""

from __future__ import annotations

from collections import Counter

import pytest

_counts: Counter[str] = Counter()


def tried(what: str, n: int = 1) -> None:
    """Add ``n`` to the counter ``what`` (e.g. "inputs fuzzed")."""
    _counts[what] += n


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _counts:
        return
    line = ", ".join(f"{n} {what}" for what, n in sorted(_counts.items()))
    terminalreporter.write_line(f"tried: {line}")
