"""A limit on how often one client may use a public form (abuse protection).

Clause rights.access.request: anyone may ask for their data through the web
form or the API, which start an identity check by e-mail. Without a limit a
script could flood the store with cases and people's mailboxes with codes.
`tutela.rights.intake.open_request` already answers a repeat for one address
with the open case; this limits each client address (``Settings.
sar_requests_per_hour``, the peer or, behind a trusted proxy, the
``X-Forwarded-For`` client, as ``POST /collect`` reads it).

The counts live in this process's memory: each ``tutela serve`` worker
counts for itself, so N workers allow up to N times the limit. They hold
client addresses for at most an hour and never reach the logs. What
protects a victim's mailbox is the limit per e-mail address, which many
clients share and every process counts in the database
(`tutela.mail.limits`); this one only slows a single client down.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Final

WINDOW_S: Final = 3600.0
MAX_CLIENTS: Final = 10_000


class RequestLimit:
    """At most ``per_hour`` requests per client in any sliding hour."""

    def __init__(
        self, per_hour: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_hour = per_hour
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def check(self, client: str) -> int | None:
        """Count a request; None if allowed, else the seconds until it would be."""
        now = self._clock()
        times = self._seen.pop(client, None) or deque()
        while times and now - times[0] >= WINDOW_S:
            times.popleft()
        self._seen[client] = times  # last used last: the oldest are evicted first
        if len(self._seen) > MAX_CLIENTS:
            del self._seen[next(iter(self._seen))]
        if len(times) >= self.per_hour:
            return max(1, math.ceil(WINDOW_S - (now - times[0])))
        times.append(now)
        return None
