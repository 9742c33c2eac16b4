"""An import-linter contract the built-in ones lack: no cycle through a package's own module.

`acyclic_siblings` looks for cycles among the children of each package, so
it never sees a package's ``__init__`` importing one of its modules that
imports the package back (``from tutela.collect import cdr`` inside
``tutela/collect/cdr/ingest.py`` while ``cdr/__init__.py`` imports
``ingest``). Such a cycle works only while the import order happens to
suit it, which is why it hides behind an import placed late. This contract
reports, for every package under ``ancestors``, each module below it that
the package imports (even indirectly) and that imports the package back.

Registered in ``pyproject.toml`` (``contract_types``); ``make lint`` runs it
with the others, and tests/test_import_contracts.py plants such a cycle to
show that it is caught.
"""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules

# Cycles shown per package; the rest are counted.
SHOWN = 5


@dataclass(frozen=True, order=True)
class PackageCycle:
    """``package`` imports ``module`` (below it) along ``down``; ``module`` imports it back along ``up``."""

    package: str
    module: str
    down: tuple[str, ...]
    up: tuple[str, ...]


def package_cycles(graph: grimp.ImportGraph, package: str) -> list[PackageCycle]:
    """Every module below ``package`` in an import cycle with the package's own module."""
    below = graph.find_descendants(package)
    if not below:
        return []  # a plain module: nothing below it to cycle with
    caught = (
        below
        & graph.find_upstream_modules(package)
        & graph.find_downstream_modules(package)
    )
    cycles = []
    for module in sorted(caught):
        down = graph.find_shortest_chain(importer=package, imported=module)
        up = graph.find_shortest_chain(importer=module, imported=package)
        if down and up:
            cycles.append(PackageCycle(package, module, tuple(down), tuple(up)))
    return cycles


class AcyclicPackagesContract(Contract):
    """No module below a package (of ``ancestors``, or the ancestors) is in a cycle with it."""

    type_name = "acyclic_packages"

    ancestors = fields.SetField(subfield=fields.ModuleExpressionField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        roots = module_expressions_to_modules(
            graph,
            sorted(self.ancestors),  # type: ignore[call-overload]
            raise_if_unmatched=True,
        )
        cycles: list[PackageCycle] = []
        for root in sorted(m.name for m in roots):
            for package in sorted({root, *graph.find_descendants(root)}):
                output.verbose_print(verbose, f"Cycles through {package}...")
                cycles += package_cycles(graph, package)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        cycles: list[PackageCycle] = check.metadata["cycles"]
        for package in sorted({c.package for c in cycles}):
            found = [c for c in cycles if c.package == package]
            output.print_error(
                f"{package} imports modules below it that import it back:"
            )
            output.new_line()
            for cycle in found[:SHOWN]:
                output.print_error(f"- {' -> '.join(cycle.down)}")
                output.print_error(f"  {' -> '.join(cycle.up)}")
            if len(found) > SHOWN:
                output.print_error(f"(and {len(found) - SHOWN} more).")
            output.new_line()


__all__ = ["AcyclicPackagesContract", "PackageCycle", "package_cycles"]
