"""`tutela policy trace`: clause -> code -> tests.

Tests prove clauses with `@pytest.mark.clause("<id>")`; code names the
clauses it enforces in its docstrings or constants. Both are found by reading
the source (AST for tests, text for code), so the trace needs no test run.
Clauses that are prose by nature (`tutela.conformance.prose`) carry the reason
no test can prove them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from tutela.conformance.prose import PROSE_CLAUSES
from tutela.policy import Policy


@dataclass
class ClauseTrace:
    id: str
    text: str
    code: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    prose: str | None = None  # why no test can prove it (`PROSE_CLAUSES`)

    @property
    def traced(self) -> bool:
        return bool(self.tests)


def trace(policy: Policy, *, code_dir: Path, tests_dir: Path) -> list[ClauseTrace]:
    """One entry per clause, in document order, with the code and tests naming it."""
    ids = [c.id for c in policy.clauses()]
    tests = find_clause_tests(tests_dir)
    code = find_clause_mentions(code_dir, ids)
    return [
        ClauseTrace(
            id=c.id,
            text=c.text,
            code=sorted(code.get(c.id, [])),
            tests=sorted(tests.get(c.id, [])),
            prose=PROSE_CLAUSES.get(c.id),
        )
        for c in policy.clauses()
    ]


def unknown_clause_markers(policy: Policy, tests_dir: Path) -> dict[str, list[str]]:
    """Markers in tests naming a clause the policy does not have (typos)."""
    known = {c.id for c in policy.clauses()}
    return {k: v for k, v in find_clause_tests(tests_dir).items() if k not in known}


def find_clause_tests(tests_dir: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(tests_dir.rglob("test_*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        rel = path.relative_to(tests_dir.parent).as_posix()
        module_marks = _module_clause_marks(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                class_marks = _decorator_clauses(node.decorator_list)
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                        item.name.startswith("test")
                    ):
                        marks = (
                            module_marks
                            + class_marks
                            + _decorator_clauses(item.decorator_list)
                        )
                        for clause_id in marks:
                            found.setdefault(clause_id, []).append(
                                f"{rel}::{node.name}::{item.name}"
                            )
        for item in tree.body:
            if isinstance(
                item, ast.FunctionDef | ast.AsyncFunctionDef
            ) and item.name.startswith("test"):
                for clause_id in module_marks + _decorator_clauses(item.decorator_list):
                    found.setdefault(clause_id, []).append(f"{rel}::{item.name}")
    return found


def _is_clause_mark(node: ast.expr) -> bool:
    # pytest.mark.clause(...) or mark.clause(...)
    return isinstance(node, ast.Attribute) and node.attr == "clause"


def _clause_args(call: ast.Call) -> list[str]:
    return [
        a.value
        for a in call.args
        if isinstance(a, ast.Constant) and isinstance(a.value, str)
    ]


def _decorator_clauses(decorators: list[ast.expr]) -> list[str]:
    """Clause marks on a test, including those on `pytest.param(..., marks=...)`."""
    out: list[str] = []
    for dec in decorators:
        for node in ast.walk(dec):
            if isinstance(node, ast.Call) and _is_clause_mark(node.func):
                out += _clause_args(node)
    return out


def _module_clause_marks(tree: ast.Module) -> list[str]:
    """`pytestmark = pytest.mark.clause(...)` or a list of such marks."""
    out: list[str] = []
    for item in tree.body:
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in item.targets
        ):
            values = (
                item.value.elts if isinstance(item.value, ast.List) else [item.value]
            )
            for value in values:
                if isinstance(value, ast.Call) and _is_clause_mark(value.func):
                    out += _clause_args(value)
    return out


def find_clause_mentions(code_dir: Path, clause_ids: list[str]) -> dict[str, list[str]]:
    """Modules whose source names a clause id (quoted or in prose)."""
    pattern = re.compile(
        r"(?<![\w.])("
        + "|".join(re.escape(i) for i in sorted(clause_ids, key=len, reverse=True))
        + r")(?![\w.])"
    )
    found: dict[str, set[str]] = {}
    for path in sorted(code_dir.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(code_dir.parent).as_posix()
        for match in pattern.finditer(text):
            found.setdefault(match.group(1), set()).add(rel)
    return {k: sorted(v) for k, v in found.items()}
