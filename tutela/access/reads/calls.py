"""Reads of stored call records.

Clauses: collect.service_use.call_records (the calls the service placed and
received, each stored under its account), use.purposes (each read is a gate
read, audited with counts, never values).
"""

from __future__ import annotations

from tutela.access.gate import Access
from tutela.errors import NotFound
from tutela.store.models import CallRecord


def call_legs(use: Access, *, account_id: int, call_key: str) -> list[CallRecord]:
    """Every stored row of one call (same linkedid), in time order.

    `NotFound` when the account has no call with this key.
    """
    legs = use.select(
        CallRecord,
        CallRecord.account_id == account_id,
        CallRecord.call_key == call_key,
        order_by=(CallRecord.started_at, CallRecord.sequence, CallRecord.id),
    )
    if not legs:
        raise NotFound("no call with this key in this account")
    return legs


def call_account(use: Access, call_record_id: int) -> int | None:
    """The account a stored call record belongs to, or None if there is no such call."""
    found = use.rows(
        CallRecord.account_id, where=[CallRecord.id == call_record_id], limit=1
    )
    return int(found[0][0]) if found else None


__all__ = ["call_account", "call_legs"]
