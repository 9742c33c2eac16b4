"""Nothing reads personal data behind `tutela.access`'s back.

Only the store, the gate (`tutela/use`), the inbound write path
(`tutela/collect`) and the demo builder may import a model that holds a
policy category; everyone else reads through `tutela.access.access`.

One exception, by ownership: a workflow package may use the tables it owns
and writes itself (the access-request workflow its cases, messages and
verification evidence; the change procedure its outbox and subscriptions;
sign-in (`tutela.audit`) its users, sessions, tokens and login attempts),
just as `collect` does for ingest. Data collected under the policy's
purposes (people, calls, voicemail, web activity...) stays behind the gate.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tutela.store.models import Base

PACKAGE = Path(__file__).resolve().parents[1] / "tutela"
ALLOWED = ("store", "access", "collect", "retention")
MODELS = "tutela.store.models"


def personal_models() -> set[str]:
    return {
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if any("category" in c.info for c in mapper.local_table.columns)
    }


# package -> the model modules whose tables it owns
OWNED: dict[str, str | tuple[str, ...]] = {
    "rights": ("rights", "rights_export"),
    "changes": "rights",
    "mail": "rights",
    "auth": "auth",
}


def owned_models(package: str) -> set[str]:
    owned = OWNED.get(package, ())
    names = (owned,) if isinstance(owned, str) else owned
    modules = {f"{MODELS}.{module}" for module in names}
    return {
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if mapper.class_.__module__ in modules
    }


def allowed(path: Path) -> bool:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] in ALLOWED or rel.parts[0].startswith("demo")


STATEMENTS = {"select", "insert", "update", "delete", "text", "union", "exists"}
SESSION_CALLS = {"execute", "scalars", "scalar", "query"}


def imported_models(tree: ast.AST, personal: set[str]) -> set[str]:
    """Personal-data model names a module imports, whatever the import form."""
    names: set[str] = set()
    module_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == MODELS or node.module.startswith(MODELS + "."):
                names |= {a.asname or a.name for a in node.names if a.name in personal}
                if any(a.name == "*" for a in node.names):
                    names |= personal
            elif node.module == "tutela.store":
                module_aliases |= {
                    a.asname or a.name for a in node.names if a.name == "models"
                }
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == MODELS or alias.name.startswith(MODELS + "."):
                    module_aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in personal:
            if ast.unparse(node.value) in module_aliases:
                names.add(node.attr)
    return names


def violations(source: str, personal: set[str]) -> list[str]:
    """How a module that names personal-data models reads or writes them itself.

    Naming a model to hand it to the gate (`use.select(Person, ...)`) is fine;
    building SQL, running it on a session, or constructing rows is not.
    """
    tree = ast.parse(source)
    models = imported_models(tree, personal)
    if not models:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sqlalchemy"
        ):
            found += [
                f"sqlalchemy {a.name}" for a in node.names if a.name in STATEMENTS
            ]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in models:
                found.append(f"constructs {func.id}")
            elif isinstance(func, ast.Attribute) and func.attr in models:
                found.append(f"constructs {func.attr}")
            elif isinstance(func, ast.Attribute) and func.attr in SESSION_CALLS:
                found.append(f"session.{func.attr}")
    return sorted(set(found))


def test_personal_models_are_found() -> None:
    assert {"Person", "PaymentMethod", "Voicemail", "WebVisit"} <= personal_models()
    assert "AuditEntry" not in personal_models()


@pytest.mark.clause("use.purposes")
def test_only_the_store_and_use_import_personal_data_models() -> None:
    personal = personal_models()
    offenders = {
        str(path.relative_to(PACKAGE)): names
        for path in sorted(PACKAGE.rglob("*.py"))
        if not allowed(path)
        and (
            names := violations(
                path.read_text(encoding="utf-8"),
                personal - owned_models(path.relative_to(PACKAGE).parts[0]),
            )
        )
    }
    assert offenders == {}, (
        f"read personal data through tutela.access.access, not the models: {offenders}"
    )


QUERY = "from sqlalchemy import select\nselect({model})"


def test_the_layering_check_catches_each_import_form() -> None:
    personal = {"Person"}
    assert violations(
        "from tutela.store.models import Person\n" + QUERY.format(model="Person"),
        personal,
    )
    assert violations(
        "from tutela.store.models.customers import Person\n"
        + QUERY.format(model="Person"),
        personal,
    )
    assert violations("import tutela.store.models as m\ns.execute(m.Person)", personal)
    assert violations(
        "from tutela.store import models\nmodels.Person(name='x')", personal
    ) == ["constructs Person"]
    assert violations(
        "from tutela.store import models\ns.query(models.Person)", personal
    )
    assert violations(
        "from tutela.store.models import Person\nPerson(name='x')", personal
    )
    assert not violations(
        "from tutela.store.models import AuditEntry\n" + QUERY, personal
    )


def test_handing_a_model_to_the_gate_is_not_a_violation() -> None:
    source = (
        "from tutela.store.models import Person\n"
        "with access(store, actor=a, purpose='p') as use:\n"
        "    use.select(Person, Person.id == 1)\n"
    )
    assert violations(source, {"Person"}) == []
