"""Every purpose the code names is one the policy declares (`tutela policy check`).

Clause: use.purposes (personal information is used for the purposes the
policy lists, and no other). The gate refuses an undeclared purpose when it
is asked; this check finds it before anyone asks, by reading the source with
`ast` (nothing is imported or run). A purpose is *named* by:

- a `purpose=` keyword argument (`access(store, actor=..., purpose="...")`,
  `record(..., purpose=...)`);
- the argument of `require_purpose("...")`, the web pages' guard;
- a module-level string constant whose name ends in `PURPOSE`.

An argument counts when it is a string literal or a name that resolves to a
module-level string constant, in the same module or imported from another
(`from tutela.rights.export.sections import PURPOSE`). Anything else (a
variable, a value from the command line) is checked by the gate at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from tutela.policy import Policy

__all__ = ["NamedPurpose", "purpose_problems", "purposes_named_in_code"]

_GUARDS = frozenset({"require_purpose"})


@dataclass(frozen=True, order=True)
class NamedPurpose:
    """One place the code names a purpose (ordered by file, then line)."""

    file: str
    line: int
    purpose: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class _Module:
    name: str
    rel: str
    tree: ast.Module
    constants: dict[str, str] = field(default_factory=dict)
    # local name -> (module, name) for `from module import name as local`
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)
    # local name -> module for `from package import module` / `import module`
    modules: dict[str, str] = field(default_factory=dict)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _absolute(module: _Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".")
    is_package = module.rel.endswith("__init__.py")
    base = package if is_package else package[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _read(code_dir: Path) -> dict[str, _Module]:
    root = code_dir.parent
    modules: dict[str, _Module] = {}
    for path in sorted(code_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        name = _module_name(path, root)
        module = _Module(name, path.relative_to(root).as_posix(), tree)
        for node in tree.body:
            target, value = _assignment(node)
            if target and isinstance(value, ast.Constant):
                if isinstance(value.value, str):
                    module.constants[target] = value.value
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(module, node)
                for alias in node.names:
                    local = alias.asname or alias.name
                    module.imported[local] = (source, alias.name)
                    module.modules[local] = f"{source}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    module.modules[alias.asname or alias.name] = alias.name
        modules[name] = module
    return modules


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def _constant(modules: dict[str, _Module], module: str, name: str) -> str | None:
    """The string a module-level name holds, following imports; None if not one."""
    seen: set[tuple[str, str]] = set()
    while (module, name) not in seen and module in modules:
        seen.add((module, name))
        found = modules[module]
        if name in found.constants:
            return found.constants[name]
        if name not in found.imported:
            return None
        module, name = found.imported[name]
    return None


def _resolve(
    modules: dict[str, _Module], module: _Module, node: ast.expr
) -> str | None:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return _constant(modules, module.name, node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        target = module.modules.get(node.value.id)
        return _constant(modules, target, node.attr) if target else None
    return None


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def purposes_named_in_code(code_dir: Path) -> list[NamedPurpose]:
    """Every place under `code_dir` that names a purpose, sorted."""
    modules = _read(code_dir)
    found: set[NamedPurpose] = set()
    for module in modules.values():

        def named(node: ast.expr, at: ast.AST, module: _Module = module) -> None:
            value = _resolve(modules, module, node)
            if value is not None:
                found.add(NamedPurpose(module.rel, getattr(at, "lineno", 0), value))

        for node in module.tree.body:
            target, value = _assignment(node)
            if target and target.endswith("PURPOSE") and value is not None:
                named(value, node)
        for call in ast.walk(module.tree):
            if not isinstance(call, ast.Call):
                continue
            for keyword in call.keywords:
                if keyword.arg == "purpose":
                    named(keyword.value, keyword)
            if _callee(call) in _GUARDS and call.args:
                named(call.args[0], call)
    return sorted(found)


def purpose_problems(
    policy: Policy, code_dir: Path, *, also_declared: Collection[str] = ()
) -> list[str]:
    """A problem for each place the code names a purpose `policy` does not declare.

    `also_declared` holds pseudo-purposes the code defines for itself
    (`subject_access`, the data subject's own access).
    """
    declared = {p.id for p in policy.meaning.purposes} | set(also_declared)
    return [
        f"{named.where} names purpose {named.purpose!r}, which the policy does "
        "not declare"
        for named in purposes_named_in_code(code_dir)
        if named.purpose not in declared
    ]
