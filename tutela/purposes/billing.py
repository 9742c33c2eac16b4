"""Collect payment for services: the billing statement of an account.

Clause: use.purposes.collect_payment ("to collect payment for services").
The billing run (``system:billing_run``) or billing staff read, for one
account and period, the number of calls and their billable seconds (call
records) and which card on file will be charged (brand and last four digits
only; the processor's token is not read here). Every read goes through the
gate under ``collect_payment``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func

from tutela.access import Actor, access
from tutela.errors import InvalidInput
from tutela.store import Store
from tutela.store.models import CallRecord, PaymentMethod

PURPOSE: Final = "collect_payment"


@dataclass(frozen=True)
class Statement:
    """What one account owes for one period, and the card it is charged to."""

    account_id: int
    calls: int
    billable_seconds: int
    card: str | None  # e.g. "visa ending 4242", None when no card is on file


def billing_statement(
    store: Store,
    *,
    actor: Actor,
    account_id: int,
    start: dt.datetime,
    end: dt.datetime,
) -> Statement:
    """Calls and billable seconds in [start, end), and the latest card on file."""
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise InvalidInput("needs aware times with start before end", field="period")
    with access(store, actor=actor, purpose=PURPOSE) as use:
        ((calls, billable),) = use.rows(
            func.count(CallRecord.billsec_s),
            func.coalesce(func.sum(CallRecord.billsec_s), 0),
            where=[
                CallRecord.account_id == account_id,
                CallRecord.started_at >= start,
                CallRecord.started_at < end,
            ],
        )
        cards = use.fields(
            PaymentMethod,
            "card_brand",
            "card_last4",
            where=[PaymentMethod.account_id == account_id],
            order_by=[PaymentMethod.id.desc()],
            limit=1,
        )
    card = f"{cards[0][0]} ending {cards[0][1]}" if cards else None
    return Statement(account_id, int(calls), int(billable), card)


__all__ = ["PURPOSE", "Statement", "billing_statement"]
