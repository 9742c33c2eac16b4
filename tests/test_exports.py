"""Public faces: every package declares its `__all__`, and others use it.

Clause: secure.measures (a package's public face is what the layers contract
and the purpose gate reason about; a name reached around it is a way around
them).

- Every package of `tutela` declares a sorted `__all__` whose names exist.
- The store and the policy are imported by other packages only through their
  faces (`tutela.store`, `tutela.store.models`, `tutela.policy`), never their
  modules (like httpx's `test_exported_members`, the face is the contract).
- A name one package imports from another is public: no leading underscore.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import tutela

PACKAGE = Path(tutela.__file__).resolve().parent
# Packages whose modules others may not import: only the package's face.
FACES = {
    "store": ("tutela.store", "tutela.store.models"),
    "policy": ("tutela.policy",),
}


def packages() -> list[str]:
    names = ["tutela"]
    for info in pkgutil.walk_packages(tutela.__path__, "tutela."):
        if info.ispkg:
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", packages())
def test_package_exports_are_declared_sorted_and_resolvable(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} declares no __all__"
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names missing {item!r}"


def cross_package_imports() -> list[tuple[str, str, str]]:
    """(importing module path, imported module, name) across top-level packages."""
    found: list[tuple[str, str, str]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        own = rel.split("/", 1)[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            parts = node.module.split(".")
            if parts[0] != "tutela" or len(parts) < 2 or parts[1] == own:
                continue
            found += [(rel, node.module, alias.name) for alias in node.names]
    return found


def test_the_store_and_the_policy_are_imported_through_their_faces() -> None:
    around = sorted(
        f"{rel}: from {module} import {name}"
        for rel, module, name in cross_package_imports()
        if module.split(".")[1] in FACES
        and module not in FACES[module.split(".")[1]]
        # The migrations are the store's own history, read by alembic only.
        and not module.startswith("tutela.store.migrations")
    )
    assert around == []


@pytest.mark.parametrize(
    "face", ["tutela.store", "tutela.store.models", "tutela.policy"]
)
def test_every_name_imported_from_a_face_is_exported_by_it(face: str) -> None:
    exported = set(importlib.import_module(face).__all__)
    used = {name for _, module, name in cross_package_imports() if module == face}
    assert used, f"nothing imports {face}: the test would prove nothing"
    assert used - exported == set(), f"used from {face} but not in its __all__"


def _enclosing_package(module: str) -> str:
    """The innermost package holding `module` (the module itself if a package)."""
    names = set(packages())
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in names:
            return ".".join(parts[:end])
    raise AssertionError(f"{module} is in no package")


def test_every_name_another_package_uses_is_in_its_packages_all() -> None:
    # Completeness of the faces (httpx's `test_exported_members` in spirit):
    # what other packages use of a package is what it declares public.
    missing = sorted(
        f"{rel}: {name} from {module} (not in {package}.__all__)"
        for rel, module, name in cross_package_imports()
        if (package := _enclosing_package(module)) != "tutela"
        and name not in importlib.import_module(package).__all__
    )
    assert missing == []


def test_no_package_imports_another_packages_private_names() -> None:
    private = sorted(
        f"{rel}: from {module} import {name}"
        for rel, module, name in cross_package_imports()
        if name.startswith("_")
        or any(part.startswith("_") for part in module.split(".")[1:])
    )
    assert private == []
