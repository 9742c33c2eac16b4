"""Each package's `__all__` is sorted and every name in it exists."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tutela


def packages() -> list[str]:
    names = ["tutela"]
    for info in pkgutil.walk_packages(tutela.__path__, "tutela."):
        if info.ispkg:
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", packages())
def test_package_exports_are_sorted_and_resolvable(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        return
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names missing {item!r}"
