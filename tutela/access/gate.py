"""The purpose gate: the only read path to personal data.

Clauses: use.purposes and each use.purposes.* (a read states an actor and a
purpose and reaches only the categories the policy permits for it),
scope.web_unlinked (website and ad data are read alone, never joined with
identifying data or filtered by IP), scope.business_only (a customer's people
see only their own account; end users only their own data), collect.requested
(the card security code is never stored, so it cannot be read), secure.measures
(every grant and every denial goes to the audit log, with counts, never values).

    with access(store, actor=actor, purpose="collect_payment") as use:
        cards = use.select(PaymentMethod, PaymentMethod.account_id == 7)

A query that touches any category the purpose does not permit is refused as a
whole with `PurposeDenied` (never silently narrowed), so callers see at once
that they asked for too much; `fields()` reads a chosen subset of columns.
Each grant is appended to the audit log before the rows are handed back: if
the log cannot be written, nothing is released. Every statement the gate
runs is marked as a gate read (`tutela.store.gated_read`): the runtime
backstop (`tutela.access.guard`) fails any other read of a personal table,
and the blob store decrypts only inside one (`Access.blob`, which reads the
owning row's blob column first, with its category).

Two ways to open the gate:

- **Alone** (`access(store, ...)`): reads run in a session of the gate's own
  and each grant commits in a transaction of its own at once, whatever the
  caller does next. For reads that serve no write (listings, exports).
- **Inside a write** (`access(store, ..., within=session)`): the write path
  (`tutela.collect`) checks keys and finds the rows it changes in the same
  transaction that changes them (is this number taken; which account owns
  it), so the check cannot go stale before the write (no time-of-check to
  time-of-use gap). The gate then reads on the caller's session and appends
  each grant on the caller's connection (`AuditLog.append(..., conn=...)`):
  the record of the read commits with the write it served, and a write
  rolled back leaves no record of a read whose result went nowhere. A grant
  in a transaction of its own would wait on the writer's lock instead (the
  SQLite database lock; on PostgreSQL the audit head row, which the writer
  now holds until it ends, so audited writers queue, as they must to keep
  one chain). A refusal inside a write is recorded once the caller's
  transaction has ended, in a transaction of its own, so that a write
  rolled back because of the refusal still leaves the refusal on record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.orm import Session

from tutela.access._deferred import append_when_ended
from tutela.access._scope import (
    IDENTIFYING_WEB_COLUMNS,
    PERSON_COLUMNS,
    PERSON_SCOPES,
    Touched,
    pinned_accounts,
    table_info,
    tenant_filter,
    touched,
)
from tutela.access.actors import Actor
from tutela.access.decide import WEB_UNLINKED, Decision, decide, policy_index
from tutela.access.roles import Role
from tutela.audit.log import audit_log
from tutela.errors import NotFound, PurposeDenied
from tutela.policy import Policy
from tutela.store import BlobStore, Store, gated_read

M = TypeVar("M")
_MAX_SUBJECTS = 1000


@dataclass(frozen=True)
class StoredBlob:
    """A blob's content and media type, read through the gate (`Access.blob`)."""

    data: bytes
    media_type: str


class Access:
    """Purpose-bound reads for one actor and one purpose (see `access`)."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        purpose: str,
        policy: Policy,
        within: Session | None = None,
    ) -> None:
        self.store = store
        self.actor = actor
        self.purpose = purpose
        self.policy = policy
        # Private: every read goes through the checked methods below, never
        # through a session handed out (that was a way around the gate).
        self._session: Session = store.sessions() if within is None else within
        self._within = within is not None
        self._unlinkable = policy_index(policy).unlinkable

    # ------------------------------------------------------------ reads

    def select(
        self,
        model: type[M],
        *where: ColumnElement[bool],
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        for_update: bool = False,
    ) -> list[M]:
        """Whole rows of `model` matching `where`, if every column is permitted.

        ``for_update`` locks the rows (``SELECT ... FOR UPDATE`` on
        PostgreSQL) until the caller's write ends: only inside a write
        (`access(..., within=session)`).
        """
        table = _table_of(model)
        info = table_info(table)
        filters, categories = self._check({table}, info.categories, where, order_by)
        stmt = select(model).where(*where, *filters).order_by(*order_by).limit(limit)
        if for_update:
            if not self._within:
                raise TypeError("for_update needs a gate opened within a write")
            stmt = stmt.with_for_update()
        with gated_read(self.purpose):
            rows = list(self._session.scalars(stmt))
        person = PERSON_COLUMNS.get(table.name)
        subjects = [getattr(r, person) for r in rows] if person else []
        self._grant({table}, categories, len(rows), subjects)
        return rows

    def get(self, model: type[M], ident: int) -> M:
        """One row by primary key; `PurposeDenied` if it is outside the actor's reach."""
        table = _table_of(model)
        key = table.primary_key.columns.values()[0]
        found = self.select(model, key == ident)
        if found:
            return found[0]
        if self.actor.is_customer:
            self._deny_if_exists(table, [key == ident])
        raise NotFound(f"{table.name} {ident} not found")

    def rows(
        self,
        *columns: Any,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        group_by: Sequence[Any] = (),
    ) -> list[tuple[Any, ...]]:
        """Chosen columns (possibly of several tables) as tuples.

        With `group_by`, the columns may be aggregates (`func.count(...)`): the
        categories they touch are checked like any other column's.
        """
        chosen = touched((*columns, *group_by))
        if chosen.raw_sql:
            self._deny(None, "raw SQL text cannot be checked; use column expressions")
        categories = _categories_of(chosen)
        filters, used = self._check(chosen.tables, categories, where, order_by)
        stmt = select(*columns).where(*where, *filters).order_by(*order_by)
        if group_by:
            stmt = stmt.group_by(*group_by)
        with gated_read(self.purpose):
            result = [tuple(row) for row in self._session.execute(stmt.limit(limit))]
        self._grant(chosen.tables, used, len(result), [])
        return result

    def fields(
        self,
        model: type[Any],
        *names: str,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int | None = None,
    ) -> list[tuple[Any, ...]]:
        """Columns of `model` chosen by policy field name (e.g. 'card_last4')."""
        table = _table_of(model)
        info = table_info(table)
        wanted: list[tuple[str, str]] = []
        columns: list[Any] = []
        for name in names:
            category = self._category_declaring(name)
            if category is None:
                self._deny(None, f"{name!r} is not a field the policy names")
            wanted.append((category, name))
            columns += [
                table.c[col] for col, (_, fld) in info.fields.items() if fld == name
            ]
        decision = decide(self.policy, self.actor, self.purpose, (), fields=wanted)
        if not decision.allowed:
            self._refuse(decision)
        for category, name in wanted:
            if all(fld != name for _, fld in info.fields.values()):
                self._deny(category, f"{table.name} does not store {name!r}")
        return self.rows(*columns, where=where, order_by=order_by, limit=limit)

    def blob(
        self, column: Any, *where: ColumnElement[bool], blobs: BlobStore
    ) -> StoredBlob:
        """The content of one blob, read as the column of the row that owns it.

        `column` is the owner's blob column (`Voicemail.audio_blob_id`,
        `CallRecording.audio_blob_id`, `ExportBundle.blob_id`) and `where`
        picks one owning row (``Voicemail.id == 7``, or ``column == blob_id``).
        That row is read first like any other read of the column: its
        category checked for the purpose, a customer kept to their own rows
        and an end user to what they held, the grant audited. Only then is
        the blob decrypted. `NotFound` when no row the actor may read owns a
        blob there, or when it was shredded; a customer's attempt on another's
        row is refused and audited like `get`.
        """
        owners = self.rows(column, where=[*where, column.is_not(None)], limit=2)
        if len(owners) != 1:
            if not owners and self.actor.is_customer:
                self._deny_if_exists(_table_of_column(column), where)
            raise NotFound("no such recording or file")
        with gated_read(self.purpose):
            data, media_type = blobs.read(self._session, owners[0][0])
        return StoredBlob(data, media_type)

    def _deny_if_exists(self, table: Table, where: Sequence[Any]) -> None:
        # Only a key is read here: no category, nothing to audit but the refusal.
        key = table.primary_key.columns.values()[0]
        with gated_read(self.purpose):
            found = self._session.scalar(select(key).where(*where).limit(1))
        if found is not None:
            self._deny(None, f"{table.name} {found} is outside the actor's reach")

    # ------------------------------------------------------------ checks

    def _category_declaring(self, field: str) -> str | None:
        for category in self.policy.meaning.categories:
            if field in category.fields or any(
                n.field == field for n in category.never_store
            ):
                return category.id
        return None

    def _check(
        self,
        tables: set[Table],
        categories: set[str] | frozenset[str],
        where: Sequence[Any],
        order_by: Sequence[Any],
    ) -> tuple[list[ColumnElement[bool]], frozenset[str]]:
        filtered = touched([*where, *order_by])
        if filtered.raw_sql:
            self._deny(None, "raw SQL text cannot be checked; use column expressions")
        used = frozenset(categories) | _categories_of(filtered)
        decision = decide(self.policy, self.actor, self.purpose, used)
        if not decision.allowed:
            self._refuse(decision)
        if used & self._unlinkable:
            self._check_unlinked(tables | filtered.tables, filtered)
        if not self.actor.is_customer:
            return [], used
        return self._customer_filters(tables, where), used

    def _check_unlinked(self, tables: set[Table], filtered: Touched) -> None:
        category = min(self._unlinkable)
        for table in tables:
            cats = table_info(table).categories
            if not cats or not cats <= self._unlinkable:
                self._deny(
                    category,
                    f"website and ad data may not be joined with {table.name}",
                    WEB_UNLINKED,
                )
        for column in filtered.columns:
            if column.name in IDENTIFYING_WEB_COLUMNS:
                self._deny(
                    category,
                    f"filtering by {column.name} would single out a visitor",
                    WEB_UNLINKED,
                )

    def _customer_filters(
        self, tables: set[Table], where: Sequence[Any]
    ) -> list[ColumnElement[bool]]:
        if pinned_accounts(where) - {self.actor.account_id}:
            self._deny(None, "customers read only their own account's data")
        filters: list[ColumnElement[bool]] = []
        for table in sorted(tables, key=lambda t: t.name):
            tenant = tenant_filter(table, self.actor)
            if tenant is None:
                self._deny(None, f"{table.name} is not customer data")
            filters.append(tenant)
            if self.actor.role is Role.end_user:
                scope = PERSON_SCOPES.get(table.name)
                if scope is None:
                    self._deny(
                        None, f"end users read only their own data, not {table.name}"
                    )
                filters.append(scope(self.actor))
        return filters

    # ------------------------------------------------------------ audit

    def _grant(
        self,
        tables: set[Table],
        categories: frozenset[str],
        count: int,
        subjects: list[int | None],
    ) -> None:
        ids = sorted({s for s in subjects if s is not None})
        details: dict[str, object] = {
            "tables": sorted(t.name for t in tables),
            "categories": sorted(categories),
            "rows": count,
        }
        if len(ids) > _MAX_SUBJECTS:
            details["subjects_truncated"] = len(ids)
            ids = ids[:_MAX_SUBJECTS]
        audit_log(self.store).append(
            actor=self.actor.id,
            action="use.grant",
            purpose=self.purpose,
            subjects=ids,
            details=details,
            # Inside a write, the grant commits (or rolls back) with it.
            conn=self._session.connection() if self._within else None,
        )

    def _refuse(self, decision: Decision) -> NoReturn:
        self._deny(decision.denied_category, decision.reason, decision.clause)

    def _deny(
        self, category: str | None, reason: str, clause: str | None = None
    ) -> NoReturn:
        entry: dict[str, Any] = {
            "actor": self.actor.id,
            "action": "use.deny",
            "purpose": self.purpose if _is_slug(self.purpose) else None,
            "details": {"category": category, "reason": reason, "clause": clause},
        }
        if self._within and self._session.in_transaction():
            append_when_ended(self.store, self._session, entry)
        else:
            audit_log(self.store).append(**entry)
        raise PurposeDenied(
            actor=self.actor.id,
            purpose=self.purpose,
            category=category,
            reason=reason,
            clause=clause,
        )

    def close(self) -> None:
        if not self._within:  # the caller's session is the caller's to close
            self._session.close()


@contextmanager
def access(
    store: Store,
    *,
    actor: Actor,
    purpose: str,
    policy: Policy | None = None,
    within: Session | None = None,
) -> Iterator[Access]:
    """Open purpose-bound access; `PurposeDenied` at once if the role may not invoke it.

    Without ``within``, reads use a session of their own, outside any
    caller's transaction, and the audit entry of each read commits on its own
    before the rows are handed back: never open it so while a write of yours
    is open (on SQLite the entry would wait on your own lock). With
    ``within`` (a session of ``store`` in the middle of a write), reads run
    on that session and their entries commit with it: see the module
    docstring. Rows read `within` are the caller's session's own objects,
    which the caller may change.
    """
    gate = Access(store, actor, purpose, policy or store.policy(), within)
    try:
        admitted = decide(gate.policy, actor, purpose, ())
        if not admitted.allowed:
            gate._refuse(admitted)
        yield gate
    finally:
        gate.close()


def _table_of(model: type[Any]) -> Table:
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model!r} is not a mapped model")
    return table


def _table_of_column(column: Any) -> Table:
    element = (
        column.__clause_element__() if hasattr(column, "__clause_element__") else column
    )
    table = getattr(element, "table", None)
    if not isinstance(table, Table):
        raise TypeError(f"{column!r} is not a column of a mapped model")
    return table


def _categories_of(found: Touched) -> frozenset[str]:
    out: set[str] = set()
    for column in found.columns:
        if not isinstance(column.table, Table):
            continue
        pair = table_info(column.table).fields.get(column.name)
        if pair is not None:
            out.add(pair[0])
    return frozenset(out)


def _is_slug(value: str) -> bool:
    return value.replace("_", "a").isalnum() and value[:1].isalpha() and value.islower()
