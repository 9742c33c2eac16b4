"""`tutela scan text|rebuild`: detections per file, per-file errors, exit codes 0/1/2.

Policy: "This includes information in a chat, email, phone call, service
ticket or other communication with Jive" (collect.volunteered.channels);
"Jive does not control the nature of this information"
(collect.volunteered.uncontrolled).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner, Result

from tests.cli_runner import Ran, tutela
from tutela.cli.app import app
from tutela.collect.accounts.contacts import add_person, open_account
from tutela.collect.communications.record import record_communication
from tutela.config import Settings
from tutela.store.db import open_store
from tutela.store.models import CommunicationMention

RUNNER = CliRunner()
TEXT = "Call (201) 555-0123, card 4111 1111 1111 1111, mail Jo@Acme.EXAMPLE\n"


def invoke(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Result:
    """Run the CLI app in this process; `run` below goes through its entry point."""
    unset: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith("TUTELA_")
    }
    return RUNNER.invoke(app, list(args), input=stdin, env=unset | (env or {}))


def run(*args: str, stdin: bytes | None = None) -> Ran:
    """The console script's entry point, in this process, reading `stdin`."""
    return tutela(*args, input=stdin if stdin is not None else b"", clean_env=True)


@pytest.mark.clause("collect.volunteered.channels")
def test_scan_text_prints_kind_offsets_text_and_normalised_value(
    tmp_path: Path,
) -> None:
    note = tmp_path / "note.txt"
    note.write_text(TEXT, encoding="utf-8")
    result = invoke("scan", "text", "--json", str(note))
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["rejected"] == 0
    [entry] = payload["files"]
    assert entry["file"] == str(note) and entry["ok"] is True
    assert entry["detections"] == [
        {
            "kind": "phone",
            "start": 5,
            "end": 19,
            "text": "(201) 555-0123",
            "value": "+12015550123",
        },
        {
            "kind": "card",
            "start": 26,
            "end": 45,
            "text": "4111 1111 1111 1111",
            "value": "4111111111111111",
        },
        {
            "kind": "email",
            "start": 52,
            "end": 67,
            "text": "Jo@Acme.EXAMPLE",
            "value": "jo@acme.example",
        },
    ]
    for d in entry["detections"]:
        assert TEXT[d["start"] : d["end"]] == d["text"]


def test_scan_text_reads_standard_input_and_prints_lines() -> None:
    result = run("scan", "text", "-", stdin=TEXT.encode())
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "-: 3 found"
    assert "+12015550123" in out and "'Jo@Acme.EXAMPLE'" in out


def test_region_puts_a_country_first(tmp_path: Path) -> None:
    note = tmp_path / "gb.txt"
    note.write_text("ring 020 7946 0123", encoding="utf-8")
    result = invoke("scan", "text", "--json", "--region", "gb", str(note))
    [detection] = json.loads(result.stdout)["files"][0]["detections"]
    assert detection["value"] == "+442079460123"


def test_bad_files_are_rejected_one_by_one_and_the_rest_scanned(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Café 4111 1111 1111 1111".encode("latin-1"))
    large = tmp_path / "large.txt"
    with large.open("wb") as handle:
        handle.truncate(10 * 1000 * 1000 + 1)
    missing = tmp_path / "missing.txt"
    result = invoke(
        "scan", "text", "--json", str(latin), str(good), str(large), str(missing)
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["rejected"] == 3
    by_file = {Path(f["file"]).name: f for f in payload["files"]}
    assert len(by_file["good.txt"]["detections"]) == 3
    assert "not UTF-8" in by_file["latin1.txt"]["error"]
    assert "10 MB" in by_file["large.txt"]["error"]
    assert "does not exist" in by_file["missing.txt"]["error"]
    # An error names the file and the problem, never the content.
    for name in ("latin1.txt", "large.txt", "missing.txt"):
        assert "4111" not in by_file[name]["error"]
    text = invoke("scan", "text", str(latin), str(good))
    assert text.exit_code == 1
    assert "latin1.txt" in text.stderr and "4111" not in text.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "text", "--region", "XX", "-"),
        ("scan", "text", "--nope"),
        ("scan",),
        ("scan", "--json", "text", "-"),
    ],
)
def test_unusable_invocations_exit_2(args: tuple[str, ...]) -> None:
    assert invoke(*args).exit_code == 2


@pytest.mark.clause("collect.volunteered.uncontrolled")
@pytest.mark.parametrize("form", [("scan", "rebuild"), ("scan", "--rebuild")])
def test_rebuild_restores_the_mention_index(
    settings: Settings, form: tuple[str, ...]
) -> None:
    store = open_store(settings)
    try:
        with store.session() as s:
            account = open_account(s, organization="Acme Plumbing LLC")
            add_person(s, account=account, role="admin", name="Dana Scully")
            record_communication(
                s,
                account=account,
                channel="chat",
                body="Dana Scully here, on (201) 555-0123",
                occurred_at=dt.datetime.now(dt.UTC),
            )
            s.execute(delete(CommunicationMention))
    finally:
        store.close()
    env = {"TUTELA_DATA": str(settings.data)}
    if settings.database_url is not None:
        env["TUTELA_DATABASE_URL"] = settings.resolved_database_url()
    result = invoke(*form, "--data", str(settings.data), "--json", env=env)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload == {
        "ok": True,
        "accounts": 1,
        "communications": 1,
        "mentions": 2,
        "masked_communications": 0,
    }
    store = open_store(settings)
    try:
        with store.session() as s:
            count = s.scalar(select(func.count()).select_from(CommunicationMention))
    finally:
        store.close()
    assert count == 2
