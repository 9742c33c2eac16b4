"""What a query touches, and the filters that keep customers inside their own data.

Clauses: use.purposes (which categories a query reads, from the columns'
classification), scope.web_unlinked (website and ad tables are never joined
with identifying ones or filtered by IP), scope.business_only (a customer's
people see their own business account only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, TextClause, or_, select
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.visitors import iterate

from tutela.access.actors import Actor
from tutela.store.models import (
    Account,
    CallRecord,
    Communication,
    Extension,
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


def _own_extensions(actor: Actor) -> Any:
    return select(Extension.extension).where(
        Extension.person_id == actor.person_id,
        Extension.account_id == actor.account_id,
    )


# An end user reads rows about themself: how each table says whose a row is.
PERSON_SCOPES: dict[str, Callable[[Actor], ColumnElement[bool]]] = {
    Account.__tablename__: lambda a: Account.id == a.account_id,
    Person.__tablename__: lambda a: Person.id == a.person_id,
    Communication.__tablename__: lambda a: Communication.person_id == a.person_id,
    Extension.__tablename__: lambda a: Extension.person_id == a.person_id,
    PhoneNumber.__tablename__: lambda a: PhoneNumber.assignee_id == a.person_id,
    Voicemail.__tablename__: lambda a: Voicemail.mailbox.in_(_own_extensions(a)),
    CallRecord.__tablename__: lambda a: or_(
        CallRecord.src_extension.in_(_own_extensions(a)),
        CallRecord.dst_extension.in_(_own_extensions(a)),
    ),
}

# Whose person a row is about, for the audit entry of a grant.
PERSON_COLUMNS: dict[str, str] = {
    Person.__tablename__: "id",
    Communication.__tablename__: "person_id",
    Extension.__tablename__: "person_id",
    PhoneNumber.__tablename__: "assignee_id",
}
