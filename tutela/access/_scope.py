"""What a query touches, and the filters that keep customers inside their own data.

Clauses: use.purposes (which categories a query reads, from the columns'
classification), scope.web_unlinked (website and ad tables are never joined
with identifying ones or filtered by IP), scope.business_only (a customer's
people see their own business account only).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, TextClause, exists, or_
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.visitors import iterate

from tutela.access.actors import Actor
from tutela.store.models import (
    Account,
    CallRecord,
    Communication,
    Extension,
    Holding,
    Person,
    PhoneNumber,
    Voicemail,
)

# Filtering website or ad data by these columns singles out a visitor.
IDENTIFYING_WEB_COLUMNS = frozenset({"ip_truncated"})


@dataclass(frozen=True)
class TableInfo:
    name: str
    categories: frozenset[str]
    fields: dict[str, tuple[str, str]]  # column name -> (category, field)
    tenant_column: str | None


_tables: dict[Table, TableInfo] = {}


def table_info(table: Table) -> TableInfo:
    found = _tables.get(table)
    if found is None:
        fields = {
            c.name: (str(c.info["category"]), str(c.info.get("field")))
            for c in table.columns
            if "category" in c.info
        }
        tenant = (
            "id"
            if table.name == Account.__tablename__
            else "account_id"
            if "account_id" in table.c
            else None
        )
        found = TableInfo(
            table.name, frozenset(c for c, _ in fields.values()), fields, tenant
        )
        _tables[table] = found
    return found


@dataclass
class Touched:
    """Every table and column a query names, and anything that cannot be read."""

    tables: set[Table]
    columns: set[Column[Any]]
    raw_sql: bool = False


def touched(expressions: Iterable[Any]) -> Touched:
    out = Touched(set(), set())
    for expression in expressions:
        element = (
            expression.__clause_element__()
            if hasattr(expression, "__clause_element__")
            else expression
        )
        if isinstance(element, Table):
            out.tables.add(element)
            continue
        for node in iterate(element):
            if isinstance(node, TextClause):
                out.raw_sql = True
            elif isinstance(node, Column) and isinstance(node.table, Table):
                out.columns.add(node)
                out.tables.add(node.table)
            elif isinstance(node, Table):
                out.tables.add(node)
    return out


def pinned_accounts(where: Iterable[Any]) -> set[Any]:
    """Account ids a WHERE clause pins with `account_id == x` or `IN (...)`."""
    pinned: set[Any] = set()
    for clause in where:
        for node in iterate(clause):
            if not isinstance(node, BinaryExpression):
                continue
            left, right = node.left, node.right
            if not (isinstance(left, Column) and isinstance(right, BindParameter)):
                continue
            table = left.table
            if not isinstance(table, Table):
                continue
            if table_info(table).tenant_column != left.name:
                continue
            value = right.value if right.value is not None else right.effective_value
            pinned.update(value if isinstance(value, list | tuple) else [value])
    return pinned


def tenant_filter(table: Table, actor: Actor) -> ColumnElement[bool] | None:
    column = table_info(table).tenant_column
    if column is None:
        return None
    return table.c[column] == actor.account_id


_HELD_VALUE: dict[str, Any] = {
    "number": Holding.e164,
    "extension": Holding.extension,
    "email": Holding.email,
}


def held_by(
    person_ids: Collection[int],
    *,
    kind: str,
    value: Any,
    at: Any,
    account: Any = None,
    evidence: Collection[str] | None = None,
) -> ColumnElement[bool]:
    """True for a row whose identifier one of `person_ids` held when the row was made.

    `value` is the row's identifier (a column: `Voicemail.mailbox`), of
    `kind` ('number', 'extension' or 'email'); `at` its time
    (`Voicemail.received_at`). A holding matches when it is of that value,
    by one of the people, and its interval holds the time
    (``valid_from <= at < valid_to``, open while ``valid_to`` is NULL);
    with `account` (the row's tenant column), only a holding inside that
    account (an extension means something only there); with `evidence`, only
    a holding with one of those evidences.

    The one rule by which a person's identifier reaches a row: the end-user
    scope of the gate (`PERSON_SCOPES`) and the subject's export both use
    it, so a re-assigned extension or number never hands one holder's voice
    mail or calls to the next (clause rights.access: ownership is "who held
    it at that time", never "who holds it now").
    """
    where: list[ColumnElement[bool]] = [
        Holding.kind == kind,
        _HELD_VALUE[kind] == value,
        Holding.person_id.in_(sorted(set(person_ids))),
        Holding.valid_from <= at,
        or_(Holding.valid_to.is_(None), Holding.valid_to > at),
    ]
    if account is not None:
        where.append(Holding.account_id == account)
    if evidence is not None:
        where.append(Holding.evidence.in_(sorted(evidence)))
    return exists().where(*where)


def _held_extension(actor: Actor, extension: Any, at: Any, account: Any) -> Any:
    person = actor.person_id
    assert person is not None  # an end user is a person (`Actor` checks it)
    return held_by([person], kind="extension", value=extension, at=at, account=account)


# An end user reads rows about themself: how each table says whose a row is.
PERSON_SCOPES: dict[str, Callable[[Actor], ColumnElement[bool]]] = {
    Account.__tablename__: lambda a: Account.id == a.account_id,
    Person.__tablename__: lambda a: Person.id == a.person_id,
    Communication.__tablename__: lambda a: Communication.person_id == a.person_id,
    Extension.__tablename__: lambda a: Extension.person_id == a.person_id,
    PhoneNumber.__tablename__: lambda a: PhoneNumber.assignee_id == a.person_id,
    # Voice mail and calls by the extension, for the time the user held it.
    Voicemail.__tablename__: lambda a: _held_extension(
        a, Voicemail.mailbox, Voicemail.received_at, Voicemail.account_id
    ),
    CallRecord.__tablename__: lambda a: or_(
        _held_extension(
            a, CallRecord.src_extension, CallRecord.started_at, CallRecord.account_id
        ),
        _held_extension(
            a, CallRecord.dst_extension, CallRecord.started_at, CallRecord.account_id
        ),
    ),
}

# Whose person a row is about, for the audit entry of a grant.
PERSON_COLUMNS: dict[str, str] = {
    Person.__tablename__: "id",
    Communication.__tablename__: "person_id",
    Extension.__tablename__: "person_id",
    PhoneNumber.__tablename__: "assignee_id",
}
