"""A refusal inside a caller's write, recorded once that write has ended.

Clause secure.measures (every denial goes to the audit log): the gate opened
inside a write (`tutela.access.access(..., within=session)`) cannot append a
denial in a transaction of its own at once (the writer holds the lock the
append needs), nor on the writer's connection (the write is usually rolled
back because of the refusal, and the record with it). It appends it once the
writer's transaction has ended, either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from tutela.audit.log import audit_log
from tutela.store import Store


def append_when_ended(store: Store, session: Session, entry: dict[str, Any]) -> None:
    """Append ``entry`` in its own transaction once ``session``'s transaction ends.

    Then the writer's lock is released (committed or rolled back), so the
    append neither waits on it nor disappears with a rollback.
    """
    root = session.get_transaction()
    done = False

    def _ended(_session: Session, transaction: SessionTransaction) -> None:
        nonlocal done
        if done or transaction is not root:
            return
        done = True
        audit_log(store).append(**entry)

    event.listen(session, "after_transaction_end", _ended)
