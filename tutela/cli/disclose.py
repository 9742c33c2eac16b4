"""`tutela disclose` and `tutela ledger`: disclose under the policy, read the ledger.

Clauses: disclose.* (every decision checked and recorded), rights.access (the
ledger answers who received a person's data, when and why). Both sign a
real staff member in (`--as EMAIL`, `tutela.cli._staff`): the actor and its
role are that person's, never typed on the command line.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import (
    DataOption,
    JsonOption,
    emit_json,
    settings_for,
    stderr,
    stdout,
)
from tutela.cli._staff import AsOption, signed_in_staff
from tutela.disclose import LedgerEntry, disclose, ledger_for_subject
from tutela.errors import DisclosureRefused
from tutela.store import open_store


def register(app: typer.Typer) -> None:
    app.command("disclose")(disclose_command)
    app.command("ledger")(ledger_command)


def disclose_command(
    recipient: Annotated[
        str,
        typer.Argument(help="Recipient id from the policy, e.g. payment_processor."),
    ],
    subject: Annotated[
        list[int], typer.Option("--subject", help="Person id (repeat for several).")
    ],
    category: Annotated[
        list[str], typer.Option("--category", help="Category id (repeatable).")
    ],
    purpose: Annotated[
        str,
        typer.Option(help="A policy purpose, or legal_obligation / business_transfer."),
    ],
    country: Annotated[
        str, typer.Option(help="ISO country where the recipient is located.")
    ],
    reference: Annotated[
        str | None,
        typer.Option(help="Subpoena, order or transaction number (no names)."),
    ] = None,
    authority: Annotated[
        str | None, typer.Option(help="Court or agency that issued the order.")
    ] = None,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Check a disclosure against the policy and record it. Exit 1 if refused."""
    settings = settings_for(data)
    store = open_store(settings)
    try:
        who = signed_in_staff(store, settings, as_email, action="disclose").actor
        entry = disclose(
            store,
            actor=who,
            recipient=recipient,
            subjects=subject,
            categories=category,
            purpose=purpose,
            country=country,
            reference=reference,
            authority=authority,
            policy=store.policy(),  # the policy in effect
        )
    except DisclosureRefused as refused:
        if json:
            emit_json(
                {
                    "error": refused.message,
                    "errors": [],
                    "status": refused.status,
                    "clause": refused.clause,
                },
                ok=False,
            )
        else:
            stderr.print(f"refused: {refused.message}", markup=False)
        raise typer.Exit(1) from None
    finally:
        store.close()
    if json:
        emit_json({"disclosure": entry.as_dict()})
    else:
        _print(entry)


def ledger_command(
    subject: Annotated[int, typer.Option("--subject", help="Person id.")],
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """List every disclosure decision about a person: who, when, why."""
    settings = settings_for(data)
    with open_store(settings) as store:
        who = signed_in_staff(store, settings, as_email, action="read the ledger")
        entries = ledger_for_subject(store, subject, actor=who.actor)
    if json:
        emit_json(
            {
                "subject": subject,
                "data": [e.as_dict() for e in entries],
                "count": len(entries),
            }
        )
        return
    for entry in entries:
        _print(entry)
    stdout.print(f"{len(entries)} disclosure decision(s)", markup=False)


def _print(entry: LedgerEntry) -> None:
    verdict = "allowed" if entry.allowed else f"REFUSED ({entry.reason})"
    crossed = [s.id for s in entry.subjects if s.crossed_border]
    stdout.print(
        f"#{entry.id} {entry.at} {entry.recipient} ({entry.recipient_kind}, "
        f"{entry.recipient_jurisdiction}) {','.join(entry.categories)} "
        f"for {entry.purpose}: {verdict}"
        + (
            f"; crosses border for {len(crossed)} subject(s)"
            if crossed and entry.allowed
            else ""
        ),
        markup=False,
    )
