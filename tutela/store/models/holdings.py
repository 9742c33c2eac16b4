"""Who held a number, an extension or an e-mail address, and from when to when.

Policy: "phone number and extension assignments" and "business contact
information" (collect.requested); rights.access (a subject gets the data of
the periods they held an identifier, never a previous or later holder's).

One row is one holding: a person (or, for a line not given to anyone, the
account itself) held one identifier from `valid_from` until `valid_to`
(open while NULL), with the evidence of ownership:

- `assigned`: the provider assigned the number or extension (its own
  records; the strongest evidence);
- `verified`: the holder proved control (for instance a code read out on a
  call to the number);
- `typed`: someone typed it into a contact record; it proves nothing about
  who holds it.

Every row carries the tenant key (`account_id`); an extension means
something only inside its account.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    STATUS,
    Base,
    _created,
    _id,
    _tenant,
    personal,
    structural,
)

HOLDING_KINDS = ("number", "extension", "email")
# How a holding was opened: with the record (an assignment, a contact typed
# in), or by a correction request, which is unproven until confirmed.
ORIGINS = ("record", "correction")
EVIDENCE = ("assigned", "verified", "typed")
PROVEN = ("assigned", "verified")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Holding(Base):
    """One identifier held by one person (or account) over one interval."""

    __tablename__ = "holdings"
    __table_args__ = (
        CheckConstraint(_in("kind", HOLDING_KINDS), name="ck_holdings_kind"),
        CheckConstraint(_in("evidence", EVIDENCE), name="ck_holdings_evidence"),
        CheckConstraint(
            "(kind = 'number' AND e164 IS NOT NULL AND extension IS NULL "
            "AND email IS NULL) OR (kind = 'extension' AND extension IS NOT NULL "
            "AND e164 IS NULL AND email IS NULL) OR (kind = 'email' AND email "
            "IS NOT NULL AND e164 IS NULL AND extension IS NULL)",
            name="ck_holdings_one_value",
        ),
        CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_holdings_interval"
        ),
        CheckConstraint(_in("origin", ORIGINS), name="ck_holdings_origin"),
        Index("ix_holdings_e164", "e164"),
        Index("ix_holdings_account_extension", "account_id", "extension"),
        Index("ix_holdings_email", "email"),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"),
        index=True,
        info=personal("phone_numbers", "assignee"),
    )
    kind: Mapped[str] = mapped_column(String(12), info=STATUS)
    e164: Mapped[str | None] = mapped_column(
        String(20), info=personal("phone_numbers", "e164")
    )
    extension: Mapped[str | None] = mapped_column(
        String(10), info=personal("phone_numbers", "extension")
    )
    email: Mapped[str | None] = mapped_column(
        String(254), info=personal("business_contact", "email")
    )
    evidence: Mapped[str] = mapped_column(
        String(12),
        info=structural("how ownership was established: assigned, verified, typed"),
    )
    valid_from: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("phone_numbers", "assignee")
    )
    valid_to: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=personal("phone_numbers", "assignee")
    )
    origin: Mapped[str] = mapped_column(
        String(12), default="record", server_default="record", info=STATUS
    )
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True),
        info=structural("when a code sent to a corrected value came back"),
    )
    created_at: Mapped[dt.datetime] = _created()

    @property
    def value(self) -> str:
        """The identifier held, whatever its kind."""
        found = self.e164 or self.extension or self.email
        assert found is not None
        return found
