"""Nothing reads personal data behind `tutela.access`'s back.

Clause: use.purposes ("uses the information only in these ways": every read
names a purpose, and the gate audits it).

Two rules, checked on the source of every module of the package:

1. **Reads.** No module outside the gate (`tutela/access`, whose read layer
   is `tutela/access/reads`) and the store selects a personal model (one
   with a column carrying a policy `category`): no `select(...)`, `exists`,
   `session.get(...)` or `.query(...)` naming one. Handing a model to the
   gate (`use.select(Person, ...)`) is how everyone else reads. The write
   path (`tutela/collect`) is no exception: the checks it makes inside its
   own write (is this account ref, number or dedupe key taken; which
   account owns this number; which rows an erasure changes) are gate reads
   inside that write (`access(store, ..., within=session)`), whose audit
   entries commit or roll back with it.
2. **Writes.** Outside the store, the gate, the inbound write path
   (`tutela/collect`), retention and the demo builder, no module builds a
   statement on, runs a session query with, or constructs a row of a
   personal model.

Exceptions, each named here with its reason (the test fails when the code
and this list disagree, in either direction):

- *Ownership*: a workflow uses the tables it owns and writes itself (the
  access-request workflow its cases, messages and verification evidence;
  the change procedure its subscriptions; mail its outbox; sign-in its
  users, sessions and login attempts; retention the rows it sweeps). Data
  collected under the policy's purposes (people, numbers, calls, voicemail,
  recordings, messages, web activity...) stays behind the gate.
- *The demo builder* writes a made-up world and looks up what it wrote.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tutela.store.models import Base

PACKAGE = Path(__file__).resolve().parents[1] / "tutela"
MODELS = "tutela.store.models"

# Packages whose modules may read personal models directly.
READERS = ("store", "access")
# Packages (besides READERS) that may write personal models directly.
WRITERS = ("collect", "retention", "demo")

# package -> the model modules whose tables it owns
OWNED: dict[str, tuple[str, ...]] = {
    "rights": ("rights", "rights_export"),
    "changes": ("rights",),
    "mail": ("rights",),
    "auth": ("auth",),
    "retention": ("rights", "web"),
}


def personal_models() -> set[str]:
    return {
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if any("category" in c.info for c in mapper.local_table.columns)
    }


def owned_models(package: str) -> set[str]:
    modules = {f"{MODELS}.{module}" for module in OWNED.get(package, ())}
    return {
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if mapper.class_.__module__ in modules
    }


STATEMENTS = {"select", "insert", "update", "delete", "text", "union", "exists"}
SESSION_CALLS = {"execute", "scalars", "scalar", "query"}
# Calls that read: a statement builder, or a session's own lookups.
READ_CALLS = {"select", "exists", "union", "get", "query"}
# Names a gate is held under; `use.select(Person, ...)` is a gate read.
GATE_NAMES = {"use", "gate"}


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


def _model_named(node: ast.AST, models: set[str]) -> str | None:
    """The personal model a call argument names (`Person`, `Person.email`, `m.Person`)."""
    for sub in ast.walk(node):
        name = (
            sub.id
            if isinstance(sub, ast.Name)
            else sub.attr
            if isinstance(sub, ast.Attribute)
            else None
        )
        if name in models:
            return name
    return None


def selected_models(source: str, personal: set[str]) -> set[str]:
    """The personal models a module reads itself (not through a gate)."""
    tree = ast.parse(source)
    models = imported_models(tree, personal)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in READ_CALLS:
            pass
        elif isinstance(func, ast.Attribute) and func.attr in READ_CALLS:
            if isinstance(func.value, ast.Name) and func.value.id in GATE_NAMES:
                continue
            if func.attr == "get" and not node.args:
                continue
        else:
            continue
        if getattr(func, "attr", None) == "get":
            # `session.get(Model, id)` and `dict.get(key)` look alike: a read
            # only when the first argument is a model itself.
            first = node.args[0]
            name = getattr(first, "id", None) or getattr(first, "attr", None)
            if name in models:
                found.add(name)
            continue
        for arg in node.args:
            name = _model_named(arg, models)
            if name is not None:
                found.add(name)
    return found


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


def _modules() -> list[tuple[str, str]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def _package(rel: str) -> str:
    return rel.split("/", 1)[0]


def test_personal_models_are_found() -> None:
    assert {"Person", "PaymentMethod", "Voicemail", "WebVisit"} <= personal_models()
    assert "AuditEntry" not in personal_models()


@pytest.mark.clause("use.purposes")
def test_no_module_outside_the_read_layer_selects_a_personal_model() -> None:
    personal = personal_models()
    offenders = {
        rel: names
        for rel, source in _modules()
        if _package(rel) not in READERS
        and (names := selected_models(source, personal - owned_models(_package(rel))))
        and _package(rel) != "demo"
    }
    assert offenders == {}, (
        "read personal data through tutela.access (tutela/access/reads), not "
        f"with a session: {offenders}"
    )


@pytest.mark.clause("use.purposes")
def test_only_the_write_path_builds_statements_on_personal_models() -> None:
    personal = personal_models()
    offenders = {
        rel: names
        for rel, source in _modules()
        if _package(rel) not in READERS + WRITERS
        and (names := violations(source, personal - owned_models(_package(rel))))
    }
    assert offenders == {}, (
        f"read personal data through tutela.access.access, not the models: {offenders}"
    )


def test_the_voicemail_listing_and_the_redaction_read_through_the_gate() -> None:
    # The two reads issue 12 found behind the gate's back are in the read layer.
    reads = PACKAGE / "access" / "reads"
    assert "def voicemail_listing" in (reads / "voicemail.py").read_text()
    assert "def owners_by_value" in (reads / "communications.py").read_text()
    listing = (PACKAGE / "cli" / "voicemail.py").read_text(encoding="utf-8")
    assert "store.session()" not in listing and "access(store" in listing


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


def test_the_read_check_catches_each_way_of_selecting() -> None:
    personal = {"Person", "Voicemail"}
    head = "from tutela.store.models import Person, Voicemail\n"
    assert selected_models(head + "select(Person.email)", personal) == {"Person"}
    assert selected_models(head + "sa.select(Voicemail)", personal) == {"Voicemail"}
    assert selected_models(head + "session.get(Voicemail, 1)", personal) == {
        "Voicemail"
    }
    assert selected_models(head + "s.query(Person)", personal) == {"Person"}
    assert selected_models(head + "exists(Person.id)", personal) == {"Person"}
    assert selected_models(
        "import tutela.store.models as m\nselect(m.Person)", personal
    ) == {"Person"}
    # Writes are not reads; neither are a dict's get or a gate's select.
    assert selected_models(head + "insert(Person)\ndelete(Voicemail)", personal) == (
        set()
    )
    assert selected_models(head + "rows.get(Person.id)", personal) == set()
    assert selected_models(head + "use.select(Person, Person.id == 1)", personal) == (
        set()
    )


def test_handing_a_model_to_the_gate_is_not_a_violation() -> None:
    source = (
        "from tutela.store.models import Person\n"
        "with access(store, actor=a, purpose='p') as use:\n"
        "    use.select(Person, Person.id == 1)\n"
    )
    assert violations(source, {"Person"}) == []
    assert selected_models(source, {"Person"}) == set()
