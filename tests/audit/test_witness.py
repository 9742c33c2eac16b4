"""The witness file: numbered, signed records, and an edit to any of them shows.

Records are written on every checkpoint (past the file's last head), numbered
1, 2, 3, ... and signed by the audit key; removing, altering, reordering or
re-signing a record is reported by verify, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tutela.audit import AuditLog, audit_log, read_witness
from tutela.audit.witness import DEFAULT_WITNESS
from tutela.cli.app import app
from tutela.config import Settings
from tutela.store.db import Store

pytestmark = pytest.mark.clause("secure.measures")


def rounds(log: AuditLog, n: int) -> list[int]:
    """`n` rounds of two entries and a checkpoint; the heads they reached."""
    heads = []
    for i in range(n):
        log.append(actor="staff:1", action="admin.tick", subjects=[i])
        log.append(actor="staff:2", action="admin.tock", subjects=[i])
        checkpoint = log.checkpoint()
        assert checkpoint is not None
        heads.append(checkpoint.seq)
    return heads


def witness_of(store: Store) -> Path:
    return store.data_dir / DEFAULT_WITNESS


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="ascii").splitlines()


def rewrite(path: Path, new_lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in new_lines), encoding="ascii")


def test_records_are_numbered_signed_and_rise_with_the_head(store: Store) -> None:
    log = audit_log(store)
    heads = rounds(log, 4)
    log.checkpoint()  # the head is witnessed already: nothing is added
    records = read_witness(witness_of(store)).records
    assert [r.n for r in records] == [1, 2, 3, 4]
    assert [r.seq for r in records] == heads
    assert {r.kind for r in records} == {"checkpoint"}
    verifier = log.signer.verifier()
    assert all(r.signed_by(verifier) for r in records)
    report = log.verify()
    assert report.ok and report.witnessed == 4 and report.witness_head_seq == heads[-1]


def test_a_record_removed_from_the_middle_is_reported(store: Store) -> None:
    log = audit_log(store)
    rounds(log, 4)
    path = witness_of(store)
    kept = lines(path)
    rewrite(path, kept[:1] + kept[2:])
    report = log.verify()
    assert not report.ok and report.first_bad_seq is None
    assert report.witness_line == 2
    assert "witness record 2 missing" in (report.problem or "")
    assert "removed" in (report.problem or "")


def test_records_out_of_order_are_reported(store: Store) -> None:
    log = audit_log(store)
    rounds(log, 3)
    path = witness_of(store)
    first, second, third = lines(path)
    rewrite(path, [first, third, second])
    report = log.verify()
    assert not report.ok and report.witness_line == 2
    assert "witness record 3 (line 2) comes before record 2" in (report.problem or "")
    rewrite(path, [first, second, second, third])
    report = log.verify()
    assert not report.ok and report.witness_line == 3
    assert "out of order or repeated" in (report.problem or "")


def test_an_altered_record_is_reported(store: Store) -> None:
    log = audit_log(store)
    heads = rounds(log, 3)
    path = witness_of(store)
    edited = lines(path)
    record = json.loads(edited[2])
    record["seq"] = heads[1] + 1  # a lower head, to hide a later cut
    edited[2] = json.dumps(record, sort_keys=True)
    rewrite(path, edited)
    report = log.verify()
    assert not report.ok and report.witness_line == 3
    assert "witness record 3 (line 3) is not signed by the audit key" in (
        report.problem or ""
    )


def test_a_bad_signature_is_reported(store: Store) -> None:
    log = audit_log(store)
    rounds(log, 2)
    path = witness_of(store)
    edited = lines(path)
    first, second = json.loads(edited[0]), json.loads(edited[1])
    second["signature"] = first["signature"]
    edited[1] = json.dumps(second, sort_keys=True)
    rewrite(path, edited)
    report = log.verify()
    assert not report.ok and report.witness_line == 2
    assert "not signed by the audit key" in (report.problem or "")


def test_a_line_that_is_no_record_is_reported(store: Store, settings: Settings) -> None:
    log = audit_log(store)
    rounds(log, 2)
    path = witness_of(store)
    edited = lines(path)
    rewrite(path, [edited[0], edited[1][:-9]])
    report = log.verify()
    assert not report.ok and report.witness_line == 2
    assert "line 2 of the witness file is not a witness record" in (
        report.problem or ""
    )
    env = {"TUTELA_DATABASE_URL": settings.database_url or ""}
    result = CliRunner().invoke(
        app, ["audit", "verify", "--data", str(settings.data)], env=env
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("audit witness TAMPERED: ")


def test_a_partial_last_line_is_dropped_by_the_next_write(store: Store) -> None:
    log = audit_log(store)
    rounds(log, 2)
    path = witness_of(store)
    with path.open("a", encoding="ascii") as fh:
        fh.write('{"at": "2018-01')  # a write cut short by a power cut
    assert not log.verify().ok
    rounds(log, 1)
    records = read_witness(path).records
    assert [r.n for r in records] == [1, 2, 3]
    assert read_witness(path).malformed == []
    assert log.verify().ok


def test_a_witness_signed_by_another_key_is_reported(store: Store) -> None:
    log = audit_log(store)
    rounds(log, 2)
    other = AuditLog(store.engine, store.data_dir / "elsewhere")
    rounds(other, 1)  # signed with the other directory's key
    report = log.verify(witness=other.witness_file)
    assert not report.ok and "not signed by the audit key" in (report.problem or "")


def test_export_starts_a_witness_file_for_an_existing_log(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    log = audit_log(store)
    heads = rounds(log, 3)
    target = tmp_path / "offsite.jsonl"
    env = {"TUTELA_DATABASE_URL": settings.database_url or ""}
    runner = CliRunner()
    args = ["audit", "export-checkpoints", "--to", str(target), "--json"]
    result = runner.invoke(app, [*args, "--data", str(settings.data)], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["exported"] == 3
    result = runner.invoke(app, [*args, "--data", str(settings.data)], env=env)
    assert json.loads(result.stdout)["exported"] == 0  # nothing past its head
    records = read_witness(target).records
    assert [(r.n, r.seq) for r in records] == [
        (1, heads[0]),
        (2, heads[1]),
        (3, heads[2]),
    ]
    assert log.verify(witness=target).ok


def test_a_witness_url_receives_the_records_of_the_local_file(
    store: Store, witness_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = witness_url
    log = AuditLog(store.engine, store.data_dir, witness=url)
    assert log.witness_file == store.data_dir / DEFAULT_WITNESS
    rounds(log, 2)
    local = [json.loads(line) for line in lines(log.witness_file)]
    assert received == local and [r["n"] for r in received] == [1, 2]
    assert log.verify().ok


def test_a_configured_witness_file_replaces_the_default(
    store: Store, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "other-disk" / "witness.jsonl"
    elsewhere.parent.mkdir()
    log = AuditLog(store.engine, store.data_dir, witness=str(elsewhere))
    heads = rounds(log, 2)
    assert [r.seq for r in read_witness(elsewhere).records] == heads
    assert not (store.data_dir / DEFAULT_WITNESS).exists()
    assert elsewhere.stat().st_mode & 0o777 == 0o600
