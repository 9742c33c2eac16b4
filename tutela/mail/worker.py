"""The delivery worker: sends the outbox until stopped (`tutela worker`).

Clauses: changes.notice (notices are sent, and sent again when the relay
refuses them for a while), changes.subscribe and the rights.access.* clauses
whose answers go by mail. Each round claims a batch
(`tutela.mail.delivery.deliver`); when nothing is due the worker
sleeps `Settings.worker_interval_seconds`. Any number of workers may run
against one database: a claimed row belongs to one of them.
"""

from __future__ import annotations

import logging
import threading

from tutela.config import Settings
from tutela.errors import InvalidInput
from tutela.mail.delivery import DeliveryReport, deliver, waiting
from tutela.store import Store

log = logging.getLogger(__name__)


def run_worker(
    store: Store,
    settings: Settings,
    *,
    stop: threading.Event | None = None,
    once: bool = False,
    batch: int = 100,
) -> DeliveryReport:
    """Deliver until `stop` is set (or, with `once`, until nothing is due).

    Returns the totals sent and failed by this worker, and how many
    messages still wait (for a later try, or for another worker).
    """
    if settings.smtp_host is None:
        raise InvalidInput(
            "no SMTP relay to deliver through: set TUTELA_SMTP_HOST",
            field="smtp_host",
        )
    stop = stop or threading.Event()
    totals = DeliveryReport()
    rounds = 0
    while not stop.is_set():
        report = deliver(store, settings, limit=batch)
        rounds += 1
        totals.sent += report.sent
        totals.failed += report.failed
        if report.sent + report.failed + report.pending == 0:
            if once:
                break
            stop.wait(settings.worker_interval_seconds)
    totals.pending = waiting(store)
    log.info(
        "worker.stopped rounds=%d sent=%d failed=%d", rounds, totals.sent, totals.failed
    )
    return totals
