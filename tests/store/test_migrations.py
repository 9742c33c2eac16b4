"""The Alembic migrations build exactly the schema the models declare."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tutela.store.db import Store
from tutela.store.models import Base
from tutela.store.types import Encrypted


def _compare_type(
    _context: Any,
    _inspected: Any,
    metadata_column: Any,
    inspected_type: Any,
    _meta: Any,
) -> bool | None:
    # Encrypted is text on disk; anything else: let Alembic decide.
    if isinstance(metadata_column.type, Encrypted):
        return "TEXT" not in str(inspected_type).upper()
    return None


@pytest.mark.postgresql
def test_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
