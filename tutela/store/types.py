"""Column types that carry policy: encrypted text, E.164 numbers; stored times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

from tutela.errors import TutelaError
from tutela.store.clock import utcnow as utcnow
from tutela.store.keys import KeyRing

# The key ring is bound to a dialect instance (one per engine) by
# `tutela.store.db.connect`; a column type has no other path to it.
_RING_ATTR = "tutela_key_ring"


def utc_aware(when: dt.datetime) -> dt.datetime:
    """A time read from the store, as an aware datetime.

    Every stored time is UTC; SQLite hands it back naive, PostgreSQL aware.
    """
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def bind_key_ring(dialect: Dialect, ring: KeyRing) -> None:
    setattr(dialect, _RING_ATTR, ring)


def key_ring_of(dialect: Dialect) -> KeyRing:
    ring = getattr(dialect, _RING_ATTR, None)
    if ring is None:
        raise TutelaError("no field key ring is bound to this database engine")
    return ring  # type: ignore[no-any-return]


class Encrypted(TypeDecorator[str]):
    """Text sealed with AES-GCM on the way in and opened on the way out.

    `context` (table.column) is bound into the ciphertext as associated data.
    """

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return key_ring_of(dialect).seal(value, context=self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return key_ring_of(dialect).open(str(value), context=self.context)
