"""Nothing reads personal data behind `tutela.access`'s back.

Clause: use.purposes ("uses the information only in these ways": every read
names a purpose, and the gate audits it).

Rules checked on the source of every module of the package (the runtime
backstop, `tutela.access.guard_reads`, checks the SQL itself; see
`tests/access/test_backstop.py`):

1. **Reads.** No module outside the gate (`tutela/access`, whose read layer
   is `tutela/access/reads`) and the store selects a personal model (one
   with a column carrying a policy `category`): no `select(...)`, `exists`,
   `session.get(...)` or `.query(...)` naming one. Handing a model to the
   gate (`use.select(Person, ...)`, on a name bound to a gate: `with
   access(...) as use`, `with reading(...) as use`, a parameter typed
   `Access`) is how everyone else reads. The write path (`tutela/collect`)
   is no exception: the checks it makes inside its own write are gate reads
   inside that write (`access(store, ..., within=session)`).
2. **Writes.** Outside the store, the gate, the inbound write path
   (`tutela/collect`), retention and the demo builder, no module builds a
   statement on, runs a session query with, or constructs a row of a
   personal model.
3. **Raw cursors.** No module reaches the database driver's own cursor
   (`raw_connection`, `driver_connection`, `dbapi_connection`,
   `.connection.cursor`, `.cursor()`), which the runtime backstop cannot
   see, but the store's bulk ``COPY`` path and its connection set-up.
4. **The gate's mark.** Only the gate marks a read as its own
   (`tutela.store.gated_read`).

Exceptions to 1 and 2 are `tutela.access.EXEMPT`, the one list the runtime
backstop uses too: a workflow's own records (the access-request workflow its
cases, messages and verification evidence; the change procedure its
subscriptions; mail its outbox; sign-in its users and login attempts;
retention what it sweeps; the demo builder what it wrote), named model by
model for each module. An entry a module no longer uses fails the build.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tutela.access import EXEMPT
from tutela.store.models import Base

PACKAGE = Path(__file__).resolve().parents[1] / "tutela"
MODELS = "tutela.store.models"

# Packages whose modules may read personal models directly.
READERS = ("store", "access")
# Packages (besides READERS) that may write personal models directly.
WRITERS = ("collect", "retention", "demo")
# Modules that may use the driver's own cursor, with the reason.
RAW_CURSORS = {
    "store/bulk.py": "the bulk COPY path: writes only",
    "store/db.py": "connection set-up: PRAGMAs on a new SQLite connection",
    "store/turns.py": "a pooled connection's identity, as a key: never a cursor",
}
RAW_ATTRIBUTES = {"raw_connection", "driver_connection", "dbapi_connection"}


def personal_models() -> set[str]:
    return {
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if any("category" in c.info for c in mapper.local_table.columns)
    }


def module_path(module: str) -> str:
    """'tutela.rights.cases' -> 'rights/cases.py' (a package: its __init__.py)."""
    rel = module.removeprefix("tutela.").replace(".", "/")
    return f"{rel}/__init__.py" if (PACKAGE / rel).is_dir() else f"{rel}.py"


def exempt_models(rel: str) -> set[str]:
    """The personal models `tutela.access.EXEMPT` lets the module at `rel` use."""
    return {
        model.__name__
        for module, models in EXEMPT.items()
        if module_path(module) == rel
        for model in models
    }


STATEMENTS = {"select", "insert", "update", "delete", "text", "union", "exists"}
SESSION_CALLS = {"execute", "scalars", "scalar", "query"}
# Calls that read: a statement builder, or a session's own lookups.
READ_CALLS = {"select", "exists", "union", "get", "query"}
# Calls that write: a statement builder.
WRITE_CALLS = {"insert", "update", "delete"}
# Calls that open a gate: `with access(...) as use`, `with reading(...) as use`.
GATE_OPENERS = {"access", "reading"}


def gate_names(tree: ast.AST) -> set[str]:
    """The names a module holds a gate under.

    Bound by ``with access(...) as NAME`` or ``with reading(...) as NAME``,
    or a parameter annotated `Access`: only a call on one of them is a gate
    read, whatever the name (a session called `use` is still a session).
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                call = item.context_expr
                if not isinstance(call, ast.Call):
                    continue
                opener = call.func
                name = (
                    opener.id
                    if isinstance(opener, ast.Name)
                    else opener.attr
                    if isinstance(opener, ast.Attribute)
                    else None
                )
                if name in GATE_OPENERS and isinstance(item.optional_vars, ast.Name):
                    names.add(item.optional_vars.id)
        elif isinstance(node, ast.arg) and node.annotation is not None:
            if ast.unparse(node.annotation).split(".")[-1].strip("'\"") == "Access":
                names.add(node.arg)
    return names


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


# Statement builders whose result is a read (`get` and `query` are the session's).
READ_BUILDERS = {"select", "exists", "union"}


def _chained_to_a_read(node: ast.Call, gates: set[str]) -> bool:
    """Whether `node` is a method chained on a read builder: `select(A).join(B)`,
    `exists().where(B.x == 1)` (so B is read as well)."""
    root = node
    while isinstance(root.func, ast.Attribute) and isinstance(
        root.func.value, ast.Call
    ):
        root = root.func.value
    if root is node:
        return False
    func = root.func
    if isinstance(func, ast.Name):
        return func.id in READ_BUILDERS
    return (
        isinstance(func, ast.Attribute)
        and func.attr in READ_BUILDERS
        and not (isinstance(func.value, ast.Name) and func.value.id in gates)
    )


def selected_models(source: str, personal: set[str]) -> set[str]:
    """The personal models a module reads itself (not through a gate)."""
    tree = ast.parse(source)
    models = imported_models(tree, personal)
    gates = gate_names(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if _chained_to_a_read(node, gates):
            found |= {m for arg in node.args if (m := _model_named(arg, models))}
            continue
        if isinstance(func, ast.Name) and func.id in READ_CALLS:
            pass
        elif isinstance(func, ast.Attribute) and func.attr in READ_CALLS:
            if isinstance(func.value, ast.Name) and func.value.id in gates:
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
    """How a module reads or writes personal-data models itself.

    Naming a model to hand it to the gate (`use.select(Person, ...)`) is fine;
    building a statement on one, running one on a session, constructing a row
    or writing raw SQL text in a module that names one is not.
    """
    tree = ast.parse(source)
    models = imported_models(tree, personal)
    if not models:
        return []
    gates = gate_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sqlalchemy"
        ):
            found += [f"sqlalchemy {a.name}" for a in node.names if a.name == "text"]
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            on_gate = isinstance(func, ast.Attribute) and (
                isinstance(func.value, ast.Name) and func.value.id in gates
            )
            if on_gate:
                continue
            if name in models:
                found.append(f"constructs {name}")
            elif name == "exec_driver_sql":
                found.append("exec_driver_sql")
            elif name in STATEMENTS | SESSION_CALLS and name != "text":
                named = {m for arg in node.args if (m := _model_named(arg, models))}
                kind = "session" if name in SESSION_CALLS else "sqlalchemy"
                found += [f"{kind}.{name}({model})" for model in named]
    return sorted(set(found))


def direct_models(source: str, personal: set[str]) -> set[str]:
    """The personal models a module uses itself: reads, builds statements on, constructs.

    What an exemption covers; a model only handed to the gate is not used.
    """
    tree = ast.parse(source)
    models = imported_models(tree, personal)
    found = selected_models(source, personal)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else None
        )
        if name in models:
            found.add(name)
        elif name in WRITE_CALLS | SESSION_CALLS:
            found |= {m for arg in node.args if (m := _model_named(arg, models))}
    return found


def raw_cursors(source: str) -> list[str]:
    """Where a module reaches the driver's own cursor, around SQLAlchemy's events."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr in RAW_ATTRIBUTES:
                found.append(f"line {node.lineno}: .{node.attr}")
            elif (
                node.attr == "cursor"
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "connection"
            ):
                found.append(f"line {node.lineno}: .connection.cursor")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "cursor"
        ):
            found.append(f"line {node.lineno}: .cursor()")
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
        and (names := selected_models(source, personal - exempt_models(rel)))
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
        and (names := violations(source, personal - exempt_models(rel)))
    }
    assert offenders == {}, (
        f"read personal data through tutela.access.access, not the models: {offenders}"
    )


def stale_exemptions(
    exempt: Mapping[str, tuple[type[Any], ...]], personal: set[str]
) -> dict[str, set[str]]:
    """Module -> the models `exempt` names for it that it does not use itself."""
    sources = dict(_modules())
    stale: dict[str, set[str]] = {}
    for module, models in exempt.items():
        rel = module_path(module)
        assert rel in sources, f"EXEMPT names {module}, which does not exist"
        names = {m.__name__ for m in models}
        assert names <= personal, f"{module}: {names - personal} hold nothing personal"
        unused = names - direct_models(sources[rel], personal)
        if unused:
            stale[module] = unused
    return stale


@pytest.mark.clause("use.purposes")
def test_every_exemption_names_a_module_and_a_model_it_uses() -> None:
    stale = stale_exemptions(EXEMPT, personal_models())
    assert stale == {}, f"exemptions no longer used; remove them: {stale}"


@pytest.mark.clause("use.purposes")
def test_only_the_stores_bulk_path_uses_a_raw_driver_cursor() -> None:
    found = {rel: where for rel, source in _modules() if (where := raw_cursors(source))}
    allowed = set(RAW_CURSORS)
    assert {rel: w for rel, w in found.items() if rel not in allowed} == {}, (
        "a raw driver cursor runs SQL the gate's backstop cannot see; load in "
        "bulk through tutela.store (copy_new_rows), read through tutela.access"
    )
    assert allowed <= set(found), (
        f"unused raw-cursor exceptions: {allowed - set(found)}"
    )


def test_only_the_gate_marks_a_read_as_its_own() -> None:
    marking = {
        rel
        for rel, source in _modules()
        if _package(rel) not in READERS
        and ("gated_read" in source or "_GATE_READ" in source)
    }
    assert marking == set()


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
    # A model named in a method chained on a read is read too.
    chained = "select(Blob.id).join(Voicemail, Voicemail.audio_blob_id == Blob.id)"
    assert selected_models(head + chained, personal) == {"Voicemail"}
    where = "exists().where(Person.account_id == Account.id)"
    assert selected_models(head + where, personal) == {"Person"}
    assert (
        selected_models(head + "delete(Voicemail).where(Voicemail.id == 1)", personal)
        == set()
    )
    assert selected_models(
        "import tutela.store.models as m\nselect(m.Person)", personal
    ) == {"Person"}
    # Writes are not reads; neither are a dict's get or a gate's select.
    assert selected_models(head + "insert(Person)\ndelete(Voicemail)", personal) == (
        set()
    )
    assert selected_models(head + "rows.get(Person.id)", personal) == set()
    gate = "with access(store, actor=a, purpose='p') as use:\n    "
    assert selected_models(head + gate + "use.select(Person)", personal) == set()
    reads = "def f(use: Access) -> None:\n    use.select(Person)\n"
    assert selected_models(head + reads, personal) == set()
    # A session under a gate's name is still a session.
    session = "with store.session() as use:\n    use.get(Person, 1)\n"
    assert selected_models(head + session, personal) == {"Person"}
    assert selected_models(head + "use.select(Person)", personal) == {"Person"}


def test_handing_a_model_to_the_gate_is_not_a_violation() -> None:
    source = (
        "from tutela.store.models import Person\n"
        "with access(store, actor=a, purpose='p') as use:\n"
        "    use.select(Person, Person.id == 1)\n"
    )
    assert violations(source, {"Person"}) == []
    assert selected_models(source, {"Person"}) == set()
