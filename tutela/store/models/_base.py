"""Declarative base and the column-classification helpers every model uses.

Every column is classified for `tutela policy check`: either it holds a field
of a policy category (`personal("call_records", "source")`) or it is declared
not personal with a reason (`structural("surrogate key")`). An unclassified
column fails the check, so nobody adds personal data the policy does not name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tutela.store.types import utcnow


def personal(category: str, field: str) -> dict[str, Any]:
    """Column info: this column holds `field` of policy category `category`."""
    return {"category": category, "field": field}


def structural(reason: str) -> dict[str, Any]:
    """Column info: not personal data (keys, timestamps of processing, status)."""
    return {"personal": False, "reason": reason}


KEY = structural("surrogate key")
TENANT = structural("tenant key: the owning business account")
LINK = structural("reference to another row")
STATUS = structural("processing state")
AUDIT_TIME = structural("time of processing, not of the person's activity")
PROVENANCE = structural("where the record came from, for idempotent re-ingest")


class Base(DeclarativeBase):
    pass


def _id() -> Mapped[int]:
    return mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, info=KEY
    )


def _tenant(ondelete: str = "CASCADE") -> Mapped[int]:
    return mapped_column(
        ForeignKey("accounts.id", ondelete=ondelete),
        index=True,
        nullable=False,
        info=TENANT,
    )


def _created() -> Mapped[dt.datetime]:
    return mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False, info=AUDIT_TIME
    )
