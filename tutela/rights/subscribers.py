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
    # How the subscription stands: "authenticated mail" (a request by mail
    # whose sender passed DMARC), "mail" (a request by mail, the policy's own
    # way, sender not authenticated), "link" (a web or API request whose
    # confirmation link was opened), or None (waiting for the link: no
    # notice goes there).
    confirmed_by: str | None
    since: dt.datetime


@dataclass(frozen=True)
class Subscribers:
    rows: list[Subscriber]
    total: int
    confirmed: int


def _confirmed_by(
    verified: bool, confirmed_at: dt.datetime | None, channel: str
) -> str | None:
    if verified:
        return "authenticated mail"
    if confirmed_at is None:
        return None
    return "mail" if channel == "email" else "link"


def list_subscribers(store: Store, *, actor: Actor) -> Subscribers:
    """Every subscription, oldest first, and how many are confirmed."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        found = use.rows(
            PolicySubscription.address,
            PolicySubscription.verified,
            PolicySubscription.confirmed_at,
            PolicySubscription.channel,
            PolicySubscription.created_at,
            order_by=[PolicySubscription.id],
        )
    rows = [
        Subscriber(str(a), _confirmed_by(bool(v), k, str(ch)), utc_aware(c))
        for a, v, k, ch, c in found
    ]
    return Subscribers(rows, len(rows), sum(1 for r in rows if r.confirmed_by))
