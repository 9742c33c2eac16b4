"""Who asked for policy updates: the console's read-only list, with counts.

Clause: changes.subscribe (an e-mail with the heading "Request for Privacy
Policy Updates" to the legal address subscribes its sender). The
addresses are read through the purpose gate as the signed-in officer
(purpose `respond_to_requests`: a subscription is a request to the legal
address), so every look is audited. Changing subscriptions is the change
procedure's own business (`tutela.changes`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tutela.access import Actor, access
from tutela.store import Store, utc_aware
from tutela.store.models import PolicySubscription

PURPOSE = "respond_to_requests"


@dataclass(frozen=True)
class Subscriber:
    address: str
    verified: bool
    since: dt.datetime


@dataclass(frozen=True)
class Subscribers:
    rows: list[Subscriber]
    total: int
    verified: int


def list_subscribers(store: Store, *, actor: Actor) -> Subscribers:
    """Every subscription, oldest first, and how many are verified."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        found = use.rows(
            PolicySubscription.address,
            PolicySubscription.verified,
            PolicySubscription.created_at,
            order_by=[PolicySubscription.id],
        )
    rows = [Subscriber(str(a), bool(v), utc_aware(c)) for a, v, c in found]
    return Subscribers(rows, len(rows), sum(1 for r in rows if r.verified))
