"""Key rotation: a new primary field key, and every sealed value re-sealed under it.

Order matters for safety: the key ring (with the new key) is saved before any
value is re-encrypted, so a crash leaves values that every saved key can open.
Re-encryption runs in one transaction per column.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, Text, select, type_coerce, update

from tutela.errors import TutelaError
from tutela.store.db import Store
from tutela.store.models import Base
from tutela.store.types import Encrypted

log = logging.getLogger(__name__)


@dataclass
class RotationResult:
    new_key_id: str
    values: int = 0
    columns: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "new_key_id": self.new_key_id,
            "values": self.values,
            "columns": self.columns,
            "retired": self.retired,
        }


def encrypted_columns() -> list[tuple[Table, str, Encrypted]]:
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Encrypted):
                found.append((table, column.name, column.type))
    return found


def rotate_keys(store: Store, *, retire_old: bool = False) -> RotationResult:
    ring = store.keys
    if ring.source is None:
        raise TutelaError(
            "the key ring comes from TUTELA_FIELD_KEYS; rotate it where it is kept, "
            "or unset the variable to use the data directory's key ring"
        )
    old_ids = [k for k in ring.keys if k != ring.primary] + [ring.primary]
    new_id = ring.rotate()
    ring.save()
    result = RotationResult(new_key_id=new_id)
    for table, name, coltype in encrypted_columns():
        raw = type_coerce(table.c[name], Text)
        pk = next(iter(table.primary_key.columns))
        with store.engine.begin() as conn:
            rows = conn.execute(select(pk, raw).where(table.c[name].is_not(None))).all()
            for row_id, token in rows:
                if ring.key_id_of(token) == new_id:
                    continue
                plain = ring.open(token, context=coltype.context)
                conn.execute(
                    update(table)
                    .where(pk == row_id)
                    .values(
                        {
                            name: type_coerce(
                                ring.seal(plain, context=coltype.context), Text
                            )
                        }
                    )
                )
                result.values += 1
        result.columns.append(f"{table.name}.{name}")
    if retire_old:
        for kid in old_ids:
            ring.keys.pop(kid, None)
        result.retired = old_ids
        ring.save()
    log.info("field keys rotated: %d values re-encrypted", result.values)
    return result
