"""`tutela audit verify|checkpoint|key|export-checkpoints|reanchor`: the tamper-evident audit log.

Clause: secure.measures. `verify` exits 0 when the chain, every signed
checkpoint and the witness hold, and 1 (naming the first bad entry, or the
witness's bad line) when they do not. The witness is read by default (the
data directory's ``audit/witness.jsonl``, or `TUTELA_AUDIT_WITNESS`): a tail
cut off with its checkpoints shows. Give it the key to trust from outside the
data directory (``--public-key FILE`` or ``--fingerprint FP``) and a copy of
the witness kept elsewhere (``--witness FILE``): then a key swapped in the
data directory, and a chain signed again with it, show too.

`reanchor` is the one way a restored backup passes again: a signed-in
privacy officer gives the reason, and the re-anchor is signed and audited
(`tutela.audit.reanchor`).

`seal_audit_logs` runs when any `tutela` command ends: it signs the head of
every audit log the command appended to (and sends it to the witness), and
prints the fingerprint of an audit key the command created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutela.audit.log import audit_log, forget_pending, seal_pending
from tutela.audit.signing_keys import (
    created_keys,
    load_or_create_signer,
    load_public_key,
    parse_fingerprint,
)
from tutela.audit.verify import VerifyReport
from tutela.cli._output import (
    DataOption,
    JsonOption,
    emit_json,
    settings_for,
    stderr,
    stdout,
)
from tutela.cli._staff import AsOption, privacy_officer
from tutela.errors import InvalidInput
from tutela.store import open_store

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def start_command() -> None:
    """At the start of a command: only what it appends (and the keys it
    creates) are its to seal and to name."""
    forget_pending()
    created_keys()


def seal_audit_logs() -> None:
    """At the end of a command: checkpoint what it appended; name new keys."""
    for _log, _checkpoint, problem in seal_pending():
        if problem is not None:
            stderr.print(
                f"audit checkpoint not made or not witnessed: {problem}",
                markup=False,
                soft_wrap=True,
            )
    for path, printed in created_keys():
        stderr.print(
            f"Audit signing key created: {path}\n"
            f"  fingerprint {printed}\n"
            "  Keep this fingerprint away from this machine; "
            "`tutela audit verify --fingerprint` checks the key against it.",
            markup=False,
            soft_wrap=True,
        )


@app.command("verify")
def verify_command(
    data: DataOption = None,
    json: JsonOption = False,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="Check checkpoints with this Ed25519 public key (PEM), not the "
            "data directory's.",
            show_default=False,
        ),
    ] = None,
    fingerprint: Annotated[
        str | None,
        typer.Option(
            "--fingerprint",
            help="The data directory's audit key must have this fingerprint "
            "(sha256:..., as printed at its creation or by `tutela audit key`).",
            show_default=False,
        ),
    ] = None,
    witness: Annotated[
        Path | None,
        typer.Option(
            "--witness",
            help="Check this witness file (e.g. a copy kept off the host) instead "
            "of the configured one (TUTELA_AUDIT_WITNESS, default "
            "DATA/audit/witness.jsonl).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check the hash chain, the signed checkpoints and the witness. Exit 1 on the
    first bad entry, a database behind its witness, or an edited witness."""
    pinned_key = load_public_key(public_key) if public_key is not None else None
    pinned_print = parse_fingerprint(fingerprint) if fingerprint is not None else None
    if witness is not None and not witness.is_file():
        raise InvalidInput("no such witness file", file=str(witness))
    with open_store(settings_for(data)) as store:
        report = audit_log(store).verify(
            public_key=pinned_key, fingerprint=pinned_print, witness=witness
        )
    if json:
        emit_json({"audit": report.as_dict()}, ok=report.ok)
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: VerifyReport) -> None:
    for change in report.reanchors:
        stdout.print(
            f"witness re-anchored at {change['at']} by {change['officer']} "
            f"({change['reason']}): it had seen entry {change['witnessed_seq']}; "
            f"entries up to {change['kept_seq']} kept, new head entry "
            f"{change['new_seq']} (audit entry {change['entry']})",
            markup=False,
            soft_wrap=True,
        )
    if report.ok:
        key = "no key yet" if report.fingerprint is None else report.fingerprint
        trust = "pinned" if report.pinned else "from the data directory, not pinned"
        seen = (
            "no witness"
            if report.witness is None
            else f"witness {report.witness}: {report.witnessed} record(s), head entry "
            f"{report.witness_head_seq or 0}"
        )
        stdout.print(
            f"audit log intact: {report.entries} entries, "
            f"{report.checkpoints} signed checkpoint(s), "
            f"{report.unsigned_tail} after the last checkpoint; {seen}; "
            f"key {key} ({trust})",
            markup=False,
            soft_wrap=True,
        )
    elif report.first_bad_seq is None:
        stdout.print(
            f"audit witness TAMPERED: {report.witness}: {report.problem}",
            markup=False,
            soft_wrap=True,
        )
    else:
        stdout.print(
            f"audit log TAMPERED: first bad entry {report.first_bad_seq}: "
            f"{report.problem}",
            markup=False,
            soft_wrap=True,
        )


@app.command("checkpoint")
def checkpoint_command(data: DataOption = None, json: JsonOption = False) -> None:
    """Sign the current head of the chain now (also done every 1000 entries and
    when every command ends) and write it to the witness."""
    with open_store(settings_for(data)) as store:
        checkpoint = audit_log(store).checkpoint()
    if json:
        emit_json(
            {
                "checkpoint": None
                if checkpoint is None
                else {
                    "seq": checkpoint.seq,
                    "hash": checkpoint.hash,
                    "at": checkpoint.at,
                    "key_id": checkpoint.key_id,
                }
            }
        )
    elif checkpoint is None:
        stdout.print("audit log is empty: nothing to sign", markup=False)
    else:
        stdout.print(
            f"signed entry {checkpoint.seq} ({checkpoint.hash[:16]}…) "
            f"with key {checkpoint.key_id}",
            markup=False,
        )


@app.command("key")
def key_command(data: DataOption = None, json: JsonOption = False) -> None:
    """Print the fingerprint of the audit signing key (created if there is none)."""
    settings = settings_for(data)
    with open_store(settings):
        verifier = load_or_create_signer(settings.data).verifier()
    if json:
        emit_json({"key_id": verifier.key_id, "fingerprint": verifier.fingerprint})
    else:
        stdout.print(verifier.fingerprint, markup=False)


@app.command("export-checkpoints")
def export_checkpoints_command(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="A witness file (a record for each checkpoint past its last one is "
            "appended) or an http(s):// URL (one JSON POST per checkpoint).",
            show_default=False,
        ),
    ],
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Send every stored checkpoint to an external witness (a file or a URL)."""
    with open_store(settings_for(data)) as store:
        log = audit_log(store)
        sent = log.send_to_witness(log.checkpoints(), to)
    if json:
        emit_json({"exported": sent})
    else:
        stdout.print(f"exported {sent} checkpoint(s)", markup=False)


@app.command("reanchor")
def reanchor_command(
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="Why the database is behind its witness (e.g. 'restored the "
            "backup of the night before after a disk failure'); kept in the audit "
            "log and the witness.",
            show_default=False,
        ),
    ],
    data: DataOption = None,
    json: JsonOption = False,
    as_email: AsOption = None,
) -> None:
    """After a backup was restored: re-anchor the witness to the database as it is
    now (a privacy officer; signed and audited). Verify then passes for it, and
    still fails for a database rolled back further."""
    from tutela.audit.reanchor import check_reason, reanchor

    text = check_reason(reason)
    settings = settings_for(data)
    with open_store(settings) as store:
        officer = privacy_officer(
            store, settings, as_email, action="re-anchor the audit witness"
        )
        done = reanchor(audit_log(store), actor=officer.actor.id, reason=text)
    if json:
        emit_json({"reanchor": done.as_dict()})
    else:
        stdout.print(
            f"witness re-anchored (record {done.record.n}): it had seen entry "
            f"{done.witnessed_seq}; entries up to {done.kept_seq} kept, "
            f"{done.dropped} later record(s) set aside; new head entry "
            f"{done.record.seq}, recorded as audit entry {done.entry}",
            markup=False,
            soft_wrap=True,
        )
