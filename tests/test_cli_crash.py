"""An unexpected error never prints the personal data it failed on.

Privacy of the product itself: an exception's text (or SQLAlchemy's echo of
bound parameters) can carry a name, an address or a number; the CLI reports
a crash by type and place only, and the engine never renders bound values.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from tutela.cli._output import JsonOption
from tutela.cli.app import INTERNAL_ERROR, app, main
from tutela.store.db import Store
from tutela.store.models import User

SECRET = "jennifer.lopez@example.com"


def _crash(as_json: JsonOption = False) -> None:
    raise ValueError(f"cannot parse {SECRET}")


@pytest.fixture
def crashing_command() -> Iterator[object]:
    command = app.command("crash-for-test", hidden=True)(_crash)
    yield command
    app.registered_commands = [
        c for c in app.registered_commands if c.name != "crash-for-test"
    ]


@pytest.mark.clause("secure.measures")
@pytest.mark.parametrize("as_json", [False, True])
def test_a_crash_is_reported_without_its_message(
    crashing_command: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    as_json: bool,
) -> None:
    monkeypatch.delenv("TUTELA_DEBUG", raising=False)
    argv = ["tutela", "crash-for-test"] + (["--json"] if as_json else [])
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == INTERNAL_ERROR
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "Traceback" not in err
    if as_json:
        document = json.loads(out)
        assert document["ok"] is False and "ValueError" in document["error"]
    else:
        assert "ValueError" in err and "test_cli_crash.py" in err


def test_debug_shows_the_traceback_to_whoever_runs_the_command(
    crashing_command: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TUTELA_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["tutela", "crash-for-test"])
    with pytest.raises(SystemExit):
        main()
    assert SECRET in capsys.readouterr().err


@pytest.mark.postgresql
@pytest.mark.clause("secure.measures")
def test_database_errors_do_not_echo_the_values_bound_to_them(store: Store) -> None:
    # PostgreSQL's own DETAIL still names a duplicate key, which is why the
    # CLI never prints an unexpected error's text; the other values are kept out.
    hashed = "argon2-hash-of-a-secret"
    row = {"email": SECRET, "role": "support_agent", "password_hash": hashed}
    with store.session() as session:
        session.execute(insert(User).values(**row))
    with pytest.raises(IntegrityError) as failed, store.session() as session:
        session.execute(insert(User).values(**row))
    assert hashed not in str(failed.value)
