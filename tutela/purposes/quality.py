"""Improve the services: how calls end, in aggregate.

Clause: use.purposes.improve_services ("to improve its services"). The
quality analysis job (``system:quality_analysis``) or engineering read the
number of calls and their total duration per disposition since a time, from
the call records, through the gate under ``improve_services``. Only counts
and sums leave: no number, name or single call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func

from tutela.access import Actor, access
from tutela.errors import InvalidInput
from tutela.store import Store
from tutela.store.models import CallRecord

PURPOSE: Final = "improve_services"


@dataclass(frozen=True)
class Outcome:
    disposition: str
    calls: int
    seconds: int


def call_outcomes(store: Store, *, actor: Actor, since: dt.datetime) -> list[Outcome]:
    """Calls and seconds per disposition (ANSWERED, NO ANSWER, ...) since ``since``."""
    if since.tzinfo is None:
        raise InvalidInput("must carry a time zone", field="since")
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            CallRecord.disposition,
            func.count(CallRecord.duration_s),
            func.coalesce(func.sum(CallRecord.duration_s), 0),
            where=[CallRecord.started_at >= since],
            group_by=[CallRecord.disposition],
            order_by=[CallRecord.disposition],
        )
    return [Outcome(str(d), int(n), int(s)) for d, n, s in rows]


__all__ = ["Outcome", "PURPOSE", "call_outcomes"]
