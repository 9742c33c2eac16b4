"""A set of non-overlapping character spans with logarithmic overlap checks.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Resolving overlaps between detections must stay
fast on a megabyte of pasted text with thousands of findings.
"""

from __future__ import annotations

from bisect import bisect_left, insort


class SpanSet:
    """Disjoint `[start, end)` spans kept sorted by start."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: dict[int, int] = {}

    def overlaps(self, start: int, end: int) -> bool:
        """Whether `[start, end)` shares a character with a span in the set."""
        index = bisect_left(self._starts, end)
        # Spans are disjoint and sorted, so only the last one starting before
        # `end` can reach into `[start, end)`.
        return index > 0 and self._ends[self._starts[index - 1]] > start

    def add(self, start: int, end: int) -> bool:
        """Add `[start, end)` unless it overlaps; say whether it was added."""
        if self.overlaps(start, end):
            return False
        insort(self._starts, start)
        self._ends[start] = end
        return True
