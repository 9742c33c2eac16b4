"""The runtime backstop of the gate: a SELECT of personal data around it fails.

Clause use.purposes ("Jive uses the information it collects only in these
ways"): every read of a personal table is a read of the purpose gate,
checked and audited. `tests/test_layering.py` finds the direct reads it can
see in the source; this finds the ones it cannot (`text("SELECT ...")`,
`exec_driver_sql`, `Base.metadata.tables[...]`, a join from a table that
holds nothing personal, a variable that happens to be named `use`), because
it looks at the SQL the driver is about to run.

`guard_reads(target)` registers a `before_cursor_execute` listener on an
engine (or on `Engine`, for every engine of the process, the way the tests
install it). For each statement it finds the tables read
(`tutela.access._sql.tables_read`: FROM, JOIN, USING, subqueries, CTEs, the
SELECT inside an INSERT, UPDATE or DELETE). When one is personal (a model
with a column carrying a policy `category`, read off the models) and the
statement does not run inside a gate read (the gate marks the context while
it runs one: `tutela.store.gated_read`), the module that issued it is
charged: the innermost frame of `tutela` code that is not the store (the
store's own work, migrations and key rotation, is the store's). It may read
only the tables `EXEMPT` names for it, model by model; anything else raises
`UngatedRead` and is kept in `ReadGuard.violations`, so a caller that
swallows the error still fails the test. Code of the tests themselves
(asserting on what was stored) is not charged.

`EXEMPT` is the one list of direct readers: a workflow's own records, named
per module (`tests/test_layering.py` checks the source against the same list
and fails on an entry no longer used).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from tutela.access._sql import tables_read
from tutela.store import UngatedRead, in_gated_read, product_caller
from tutela.store.models import (
    Account,
    Base,
    CallRecording,
    LoginAttempt,
    OutboxMessage,
    Person,
    PhoneNumber,
    PolicySubscription,
    RightsMessage,
    SarCase,
    User,
    UserProposal,
    VerificationEvidence,
)

# A workflow's own records, read and written by the module that keeps them
# (not data collected for the policy's purposes: people, numbers, calls,
# voice mail, recordings, messages, web activity stay behind the gate).
# Module -> the personal models it may use directly, one by one.
EXEMPT: Mapping[str, tuple[type[Base], ...]] = {
    # Sign-in: its users and the attempts that lock them out.
    "tutela.auth._events": (User,),
    "tutela.auth.credentials": (User,),
    "tutela.auth.lockout": (LoginAttempt,),
    "tutela.auth.officers": (User,),
    "tutela.auth.proposals": (User, UserProposal),
    "tutela.auth.sessions": (User,),
    "tutela.auth.signin": (User,),
    "tutela.auth.staff": (User,),
    "tutela.auth.user_admin": (User,),
    # The change procedure: its subscriptions and the confirmation mail.
    "tutela.changes.optin": (OutboxMessage, PolicySubscription),
    "tutela.changes.subscriptions": (PolicySubscription,),
    # Mail: the outbox, and the subscription a bounce or delivery ends.
    "tutela.mail.delivery": (OutboxMessage, PolicySubscription),
    "tutela.mail.outbox": (OutboxMessage,),
    # Retention: the closed cases, their messages and mail it sweeps (and the
    # subscriptions that keep a message).
    "tutela.retention.sweep": (
        OutboxMessage,
        PolicySubscription,
        RightsMessage,
        SarCase,
    ),
    # The access-request workflow: its cases, messages and evidence.
    "tutela.rights._forget": (
        OutboxMessage,
        PolicySubscription,
        RightsMessage,
        SarCase,
    ),
    "tutela.rights.casefile": (VerificationEvidence,),
    "tutela.rights.cases": (SarCase, VerificationEvidence),
    "tutela.rights.claims": (SarCase,),
    "tutela.rights.cooling_off": (RightsMessage, SarCase),
    "tutela.rights.correction": (SarCase,),
    "tutela.rights.decisions": (SarCase,),
    "tutela.rights.erasure": (SarCase,),
    "tutela.rights.export.build": (SarCase,),
    "tutela.rights.inbox": (RightsMessage,),
    "tutela.rights.intake": (OutboxMessage, RightsMessage, SarCase),
    "tutela.rights.matching": (SarCase,),
    "tutela.rights.quarantine": (RightsMessage,),
    "tutela.rights.queue": (SarCase,),
    "tutela.rights.requests": (SarCase,),
    "tutela.rights.verification": (SarCase, VerificationEvidence),
    # The disclosure ledger's jurisdictions: structural columns only (person
    # and account ids, the account's jurisdiction), no category is read.
    "tutela.access.subjects": (Account, Person),
    # The demo builder writes a made-up world and looks up what it wrote.
    "tutela.demo.customers": (Account,),
    "tutela.demo.telephony": (Account, CallRecording, PhoneNumber),
    "tutela.demo.users": (Person,),
}


def personal_tables() -> frozenset[str]:
    """Names of the tables with a column carrying a policy `category`."""
    return frozenset(
        table.name
        for table in Base.metadata.tables.values()
        if any("category" in column.info for column in table.columns)
    )


def _exempt_tables() -> dict[str, frozenset[str]]:
    return {
        module: frozenset(model.__table__.name for model in models)  # type: ignore[attr-defined]
        for module, models in EXEMPT.items()
    }


@dataclass
class ReadGuard:
    """A registered backstop; `violations` keeps what it refused (see the module)."""

    target: Any
    violations: list[str] = field(default_factory=list)
    _personal: frozenset[str] = field(default_factory=personal_tables)
    _exempt: dict[str, frozenset[str]] = field(default_factory=_exempt_tables)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, statement: str) -> None:
        """Raise `UngatedRead` if `statement`, run here and now, reads around the gate."""
        read = tables_read(statement) & self._personal
        if not read or in_gated_read() is not None:
            return
        module = product_caller(sys._getframe(1), passing=(__name__,))
        if module is None or read <= self._exempt.get(module, frozenset()):
            return
        message = (
            f"{module} reads {', '.join(sorted(read))} around the purpose gate: "
            "read personal data through tutela.access (tutela/access/reads)"
        )
        with self._lock:
            self.violations.append(message)
        raise UngatedRead(message)

    def take(self) -> list[str]:
        """The violations so far, which are then forgotten."""
        with self._lock:
            found, self.violations[:] = list(self.violations), []
        return found

    def _listener(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        self.check(statement)

    def remove(self) -> None:
        """Unregister the listener."""
        if event.contains(self.target, "before_cursor_execute", self._listener):
            event.remove(self.target, "before_cursor_execute", self._listener)


def guard_reads(target: Engine | type[Engine] = Engine) -> ReadGuard:
    """Fail every SELECT of a personal table around the gate on `target`.

    `target` is an engine, or `Engine` (the default) for every engine the
    process has and will create. Returns the guard; `remove()` ends it.
    """
    guard = ReadGuard(target)
    event.listen(target, "before_cursor_execute", guard._listener)
    return guard


@contextmanager
def guarding_reads(target: Engine | type[Engine] = Engine) -> Iterator[ReadGuard]:
    """`guard_reads` for the length of a block."""
    guard = guard_reads(target)
    try:
        yield guard
    finally:
        guard.remove()


__all__ = [
    "EXEMPT",
    "ReadGuard",
    "guard_reads",
    "guarding_reads",
    "personal_tables",
]
