"""Seal the audit log while a long-running command runs (`tutela serve`, `tutela worker`).

Clause: secure.measures. A `tutela` command signs the head of the log, and
writes it to the witness, when it ends (`tutela.audit.log.seal_pending`). A
server or a worker runs for weeks: until it stops, what it appended would be
covered only by the checkpoint every 1000 entries, and the newest entries
could be cut off unnoticed. So while it runs, a thread seals every
`TUTELA_AUDIT_SEAL_SECONDS` the logs appended to since the last seal (none
appended, nothing written: an idle server adds nothing to the witness).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tutela.audit.log import seal_pending

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 30


@contextmanager
def sealing_every(seconds: float) -> Iterator[threading.Event]:
    """Seal pending logs every ``seconds`` until the block ends.

    Yields an event that is set after each round (tests wait on it). The
    final seal is the command's own, when it ends.
    """
    if seconds <= 0:
        raise ValueError("the sealing interval must be positive")
    stop = threading.Event()
    sealed = threading.Event()

    def run() -> None:
        while not stop.wait(seconds):
            for _log, checkpoint, problem in seal_pending(dispose=False):
                if problem is not None:
                    # Kept pending: the next round tries again.
                    log.warning("audit.periodic_seal_failed")
                elif checkpoint is not None:
                    log.debug("audit.periodic_seal seq=%d", checkpoint.seq)
            sealed.set()

    thread = threading.Thread(target=run, name="tutela-audit-sealing", daemon=True)
    thread.start()
    try:
        yield sealed
    finally:
        stop.set()
        thread.join(JOIN_TIMEOUT_S)


__all__ = ["sealing_every"]
