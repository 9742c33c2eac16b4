"""Which tables a SQL statement reads, from its text: what the backstop checks.

Clause use.purposes: the runtime backstop (`tutela.access.guard`) sees every
statement as the driver gets it, however it was built (the ORM, `select`,
`text("SELECT ...")`, `exec_driver_sql`, `Base.metadata.tables[...]`). It
reads the text, so no way of building a query hides what it touches.

A table is *read* where a statement takes rows from it: after FROM, JOIN or
USING (the FROM list of a SELECT, of a subquery anywhere, of a CTE, of
`UPDATE ... FROM`, `DELETE ... USING`, `INSERT ... SELECT`), in each item
of a comma-separated FROM list, and after TABLE at the head of a query
(`TABLE people`). The target of a write is not read: `DELETE FROM t`,
`UPDATE t`, `INSERT INTO t`. Identifiers may be quoted ("t", `t`, [t]) or
qualified by a schema (main.t); string literals and comments are skipped, so
a table named in a string is not a read.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^']|'')*'?)
  | (?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z))
  | (?P<quoted>"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<punct>[(),.;])
  | (?P<other>.)
    """,
    re.DOTALL | re.VERBOSE,
)

# A FROM list ends at the next clause of its own query.
_CLAUSE_END = frozenset(
    {
        "where",
        "group",
        "having",
        "order",
        "limit",
        "offset",
        "fetch",
        "union",
        "intersect",
        "except",
        "returning",
        "window",
        "for",
        "on",
        "using",
        "set",
        "values",
        "join",
        "inner",
        "left",
        "right",
        "full",
        "cross",
        "natural",
        "outer",
        "select",
        "lateral",
        "qualify",
    }
)
# TABLE <name> is a query only where a query may begin.
_QUERY_START = frozenset({"(", ";", "union", "intersect", "except", "all"})


def _tokens(sql: str) -> list[tuple[str, str]]:
    """(kind, text) of each meaningful token: 'word' (lower-cased), 'name', 'punct'."""
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        text = match.group()
        if kind == "word":
            out.append(("word", text.lower()))
        elif kind == "quoted":
            inner = text[1:-1] if len(text) > 1 else ""
            out.append(("name", inner.replace('""', '"').replace("``", "`").lower()))
        elif kind == "punct":
            out.append(("punct", text))
        elif kind in ("string", "dollar", "other"):
            out.append(("other", text))
    return out


def _name_at(tokens: list[tuple[str, str]], i: int) -> tuple[str | None, int]:
    """The table a (possibly schema-qualified) name starting at `i` names, and what follows."""
    name: str | None = None
    while i < len(tokens) and tokens[i][0] in ("word", "name"):
        name = tokens[i][1]
        if i + 2 < len(tokens) and tokens[i + 1] == ("punct", "."):
            i += 2
            continue
        return name, i + 1
    return name, i


def _from_list(
    tokens: list[tuple[str, str]], i: int, found: set[str], *, expect: bool = True
) -> None:
    """Every table of the FROM list starting at `i` (items split by commas).

    With ``expect`` false, `i` starts inside an item (a join's ON or USING
    condition): only the items after the next top-level comma are tables.
    """
    depth = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if expect:
            expect = False
            if kind in ("word", "name") and (kind == "name" or text != "lateral"):
                name, i = _name_at(tokens, i)
                if name is not None:
                    found.add(name)
                continue
        if kind == "punct":
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
                if depth < 0:
                    return
            elif text == ";" and depth == 0:
                return
            elif text == "," and depth == 0:
                expect = True
        elif kind == "word" and depth == 0 and text in _CLAUSE_END:
            return
        i += 1


@lru_cache(maxsize=4096)
def tables_read(sql: str) -> frozenset[str]:
    """The tables `sql` reads rows from (lower-case names; see the module docstring)."""
    tokens = _tokens(sql)
    found: set[str] = set()
    previous: tuple[str, str] | None = None
    for i, token in enumerate(tokens):
        kind, text = token
        if kind == "word":
            before = previous[1] if previous is not None else None
            if text == "from" and before not in ("delete", "distinct"):
                _from_list(tokens, i + 1, found)
            elif text == "join":
                _from_list(tokens, i + 1, found)
            elif text in ("on", "using"):
                # `JOIN b ON ..., c`, `JOIN b USING (id), c`: the FROM list
                # goes on after a join's condition; `DELETE FROM a USING b`
                # names a table at once.
                table = text == "using" and tokens[i + 1 : i + 2] != [("punct", "(")]
                _from_list(tokens, i + 1, found, expect=table)
            elif text == "table" and (before is None or before in _QUERY_START):
                name, _ = _name_at(tokens, i + 1)
                if name is not None:
                    found.add(name)
        previous = token
    return frozenset(found)


__all__ = ["tables_read"]
