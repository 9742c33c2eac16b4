"""Quarantine for mail that cannot be processed: kept sealed, with its reason.

Clause: rights.access.request (every message to the legal address is kept
or refused with a reason; none blocks the ones after it). A poison message
(one the parser will not read, or one on which intake fails) is stored as
a legal-inbox row flagged `quarantined`: raw bytes sealed by the key ring
like every message, `problem` saying why, never parsed again
(`tutela inbox list --quarantined`). It is keyed by a hash of its bytes,
so a re-run keeps nothing twice. At most `QuarantineBudget.cap` are kept
per run (the SMTP listener: per hour); beyond that a poison message is
refused and counted, and stays where it came from.

`TRANSIENT_ERRORS` are failures of the store itself, after which the same
message may well succeed: the listener answers 451 for those, never for a
poison message (554).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Final

from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from tutela.errors import InvalidInput
from tutela.store import Store, utcnow
from tutela.store.models import RightsMessage

log = logging.getLogger(__name__)

MAX_QUARANTINE_PER_RUN: Final = 100
# Failures of the store itself: the message is fine, try again later.
TRANSIENT_ERRORS: Final = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.IntegrityError,
    TimeoutError,
)


@dataclass
class QuarantineBudget:
    """How many poison messages one run may keep; the rest are counted."""

    cap: int = MAX_QUARANTINE_PER_RUN
    stored: int = 0
    refused: int = 0


class PoisonMessage(InvalidInput):
    """A message refused for good (SMTP 5xx); kept in quarantine unless over the cap."""

    status = 422

    def __init__(self, reason: str, *, where: str, quarantined: bool) -> None:
        super().__init__(reason, file=where)
        self.quarantined = quarantined


def quarantine(
    store: Store,
    raw: bytes,
    *,
    reason: str,
    where: str,
    channel: str,
    now: dt.datetime | None = None,
    budget: QuarantineBudget | None = None,
) -> PoisonMessage:
    """Keep a message that cannot be processed, sealed, with its reason."""
    key = hashlib.sha256(b"quarantine\0" + raw).hexdigest()
    with store.session() as session:
        found = session.scalar(
            select(RightsMessage.id).where(RightsMessage.message_key == key)
        )
        if found is None:
            if budget is not None and budget.stored >= budget.cap:
                budget.refused += 1
                return PoisonMessage(
                    f"{reason}; not kept: the quarantine cap of {budget.cap} "
                    "messages for this run is reached",
                    where=where,
                    quarantined=False,
                )
            row = RightsMessage(
                message_key=key,
                message_id=f"<{key}@quarantine.tutela.invalid>",
                route="general",
                channel=channel,
                raw=base64.b64encode(raw).decode("ascii"),
                size=len(raw),
                received_at=now or utcnow(),
                flag="quarantined",
                problem=reason[:200],
            )
            session.add(row)
            session.flush()
            found = row.id
            if budget is not None:
                budget.stored += 1
    log.warning("rights.intake.quarantined message_row=%d", found)
    return PoisonMessage(reason, where=where, quarantined=True)
