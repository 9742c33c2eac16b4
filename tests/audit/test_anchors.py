"""Attacks on the audit log by someone who can write the database (and the data
directory), and what catches each: the checkpoint every command ends with, a
pinned key, an external witness.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tutela.audit import GENESIS, audit_log, entry_hash
from tutela.audit.log import AuditLog
from tutela.audit.signing_keys import key_paths, load_or_create_signer
from tutela.audit.witness import read_witness
from tutela.cli.app import app
from tutela.config import Settings
from tutela.store.db import Store

pytestmark = pytest.mark.clause("secure.measures")


def run(
    settings: Settings,
    *args: str,
    witness: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> tuple[int, str]:
    environment = {
        "TUTELA_DATABASE_URL": settings.database_url or "",
        "TUTELA_AUDIT_WITNESS": str(witness) if witness else "",
        **(env or {}),
    }
    result = CliRunner().invoke(
        app, [*args, "--data", str(settings.data)], env=environment, input=input
    )
    raised = "" if result.exception is None else str(result.exception)
    return result.exit_code, result.stdout + result.stderr + raised


def _json(out: str) -> Any:
    """The JSON document a ``--json`` command printed first (stderr follows)."""
    return json.JSONDecoder().raw_decode(out)[0]


def _sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def _rehash_from(store: Store, first: int) -> None:
    """Recompute the hashes from entry ``first`` on, as an attacker would."""
    with store.engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM audit_entries ORDER BY seq")).all()
        prev = GENESIS
        for row in rows:
            if row.seq >= first:
                digest = entry_hash(
                    row.seq, row.at, row.actor, row.action, row.purpose,
                    row.subjects, row.details, prev,
                )  # fmt: skip
                conn.execute(
                    text(
                        "UPDATE audit_entries SET prev_hash = :p, hash = :h "
                        "WHERE seq = :s"
                    ),
                    {"p": prev, "h": digest, "s": row.seq},
                )
                prev = digest
            else:
                prev = row.hash
        conn.execute(
            text("UPDATE audit_head SET seq = :s, hash = :h"),
            {"s": rows[-1].seq, "h": prev},
        )


PASSWORD = "anchors-password-for-tests-only"


def _users(settings: Settings, n: int, witness: Path | None = None) -> None:
    """`n` commands adding privacy officers, as a deployment does: the root of
    trust makes the first two with no sign-in, later ones are proposals by
    the first (a second officer would approve them)."""
    first = {"TUTELA_STAFF": "staff0@example.com", "TUTELA_STAFF_PASSWORD": PASSWORD}
    for i in range(n):
        code, out = run(
            settings,
            "users", "add", "--email", f"staff{i}@example.com",
            "--role", "privacy_officer", *(["--password-stdin"] if i < 2 else []),
            witness=witness, env=first if i >= 2 else None, input=PASSWORD + "\n",
        )  # fmt: skip
        assert code == 0, out


@pytest.mark.postgresql
def test_every_command_ends_with_a_checkpoint_of_the_head(
    store: Store, settings: Settings
) -> None:
    _users(settings, 2)
    seq, _ = audit_log(store).head()
    assert seq > 0
    assert audit_log(store).checkpoints()[-1].seq == seq
    report = audit_log(store).verify()
    assert report.ok and report.unsigned_tail == 0


@pytest.mark.postgresql
def test_a_cut_tail_is_caught_by_the_checkpoint_its_command_ended_with(
    store: Store, settings: Settings
) -> None:
    _users(settings, 2)
    seq, _ = audit_log(store).head()
    _sql(store, "DELETE FROM audit_entries WHERE seq = :s", s=seq)
    _rehash_from(store, seq)  # the head row now names the new last entry
    report = audit_log(store).verify()
    assert not report.ok and report.first_bad_seq == seq


def test_the_creation_of_the_key_prints_its_fingerprint(
    settings: Settings,
) -> None:
    code, out = run(
        settings, "users", "add", "--email", "po@example.com",
        "--role", "privacy_officer",
    )  # fmt: skip
    assert code == 0
    fingerprint = load_or_create_signer(settings.data).verifier().fingerprint
    assert f"fingerprint {fingerprint}" in out
    code, out = run(settings, "audit", "key")
    assert (code, out.strip()) == (0, fingerprint)


def _swap_key_and_resign(store: Store) -> None:
    """Replace the data directory's key with a new one and sign the chain anew."""
    private, public = key_paths(store.data_dir)
    private.unlink()
    public.unlink()
    _sql(store, "UPDATE audit_entries SET details = :d WHERE seq = 1", d='{"x":1}')
    _rehash_from(store, 1)
    _sql(store, "DELETE FROM audit_checkpoints")
    AuditLog(store.engine, store.data_dir).checkpoint()


def test_a_chain_resigned_with_a_swapped_key_fails_a_pinned_verify(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    _users(settings, 2)
    fingerprint = load_or_create_signer(settings.data).verifier().fingerprint
    kept = tmp_path / "audit.pub.pem"
    shutil.copy(key_paths(settings.data)[1], kept)
    assert run(settings, "audit", "verify", "--fingerprint", fingerprint)[0] == 0
    assert run(settings, "audit", "verify", "--public-key", str(kept))[0] == 0
    _swap_key_and_resign(store)
    # The witness in the data directory was signed with the real key...
    code, out = run(settings, "audit", "verify")
    assert code == 1 and "is not signed by the audit key" in out
    # ...but whoever holds the data directory can remove it too.
    (settings.data / "audit" / "witness.jsonl").unlink()
    assert run(settings, "audit", "verify")[0] == 0  # unpinned: fooled
    code, out = run(settings, "audit", "verify", "--fingerprint", fingerprint)
    assert code == 1 and "replaced" in out
    code, out = run(settings, "audit", "verify", "--public-key", str(kept), "--json")
    assert code == 1 and "signature" in _json(out)["audit"]["problem"]


def test_deleting_every_checkpoint_fails_a_pinned_verify(
    store: Store, settings: Settings
) -> None:
    _users(settings, 1)
    fingerprint = load_or_create_signer(settings.data).verifier().fingerprint
    _sql(store, "DELETE FROM audit_checkpoints")
    code, out = run(settings, "audit", "verify", "--fingerprint", fingerprint)
    assert code == 1 and "no signed checkpoint" in out


def test_a_rewrite_after_the_checkpoints_were_deleted_is_caught_by_the_witness(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    witness = tmp_path / "witness.jsonl"
    _users(settings, 3, witness=witness)
    witnessed = read_witness(witness).records
    assert [w.seq for w in witnessed] == sorted(w.seq for w in witnessed)
    assert [w.n for w in witnessed] == list(range(1, len(witnessed) + 1))
    seq, _ = audit_log(store).head()
    assert witnessed[-1].seq == seq
    assert witness.stat().st_mode & 0o777 == 0o600
    # Cut the last command's entries, and the checkpoints that would show it.
    cut = witnessed[-2].seq + 1
    _sql(store, "DELETE FROM audit_checkpoints WHERE seq >= :s", s=cut)
    _sql(store, "DELETE FROM audit_entries WHERE seq >= :s", s=cut)
    _rehash_from(store, cut - 1)
    # The witness is elsewhere: the data directory has none to check.
    assert run(settings, "audit", "verify")[0] == 0
    code, out = run(settings, "audit", "verify", "--witness", str(witness), "--json")
    payload = _json(out)
    assert code == 1 and payload["audit"]["first_bad_seq"] == cut
    # A rewrite of an earlier entry, re-signed with the real key, shows too.
    _sql(store, "UPDATE audit_entries SET details = :d WHERE seq = 2", d='{"x":1}')
    _rehash_from(store, 2)
    _sql(store, "DELETE FROM audit_checkpoints")
    audit_log(store).checkpoint()
    code, out = run(settings, "audit", "verify", "--witness", str(witness))
    assert code == 1 and "differs from witness record" in out


def test_checkpoints_are_posted_to_a_witness_url(
    store: Store,
    settings: Settings,
    witness_url: tuple[str, list[dict[str, object]]],
) -> None:
    url, received = witness_url
    _users(settings, 1)
    code, out = run(settings, "audit", "export-checkpoints", "--to", url, "--json")
    assert code == 0 and _json(out)["exported"] == len(received) >= 1
    seq, digest = audit_log(store).head()
    assert received[-1]["seq"] == seq and received[-1]["hash"] == digest
    fingerprint = load_or_create_signer(settings.data).verifier().fingerprint
    assert received[-1]["fingerprint"] == fingerprint


def test_an_unreachable_witness_is_reported_and_the_checkpoint_kept(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-dir" / "witness.jsonl"
    _users(settings, 1, witness=missing)
    code, out = run(settings, "audit", "checkpoint", witness=missing)
    assert code != 0 and "cannot append to the audit witness file" in out
    assert audit_log(store).checkpoints()
