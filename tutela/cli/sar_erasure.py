"""`tutela sar erase|correct`: answer erasure and correction requests.

Clauses: rights.access (the export offers correction and deletion),
rights.access.request, rights.access.verification. Both act on a verified
case of their kind only, sign a privacy officer in (`--as EMAIL`) and act as
`staff:<user id>`; the response mail says what was done, never a value.
`register` adds the commands to the `sar` sub-app.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, privacy_officer
from tutela.errors import InvalidInput
from tutela.store import open_store

CaseArg = Annotated[
    int, typer.Argument(help="Case id (see `tutela sar list`).", show_default=False)
]


def erase_command(
    case_id: CaseArg,
    data: DataOption = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Fulfil a verified erasure request: erase the subject, keep what the law keeps.

    Per category the outcome says what was erased and what was kept and why
    (legal holds from TUTELA_LEGAL_HOLDS, the record of the request, the
    business account's own records) and which recipients of the disclosure
    ledger to inform; the subject is told the same by mail.
    """
    from tutela.rights.erasure import erase_case

    settings = settings_for(data)
    with open_store(settings) as store:
        actor = privacy_officer(
            store, settings, as_email, action="fulfil an erasure request"
        ).actor.id
        view = erase_case(store, case_id, actor=actor, settings=settings)
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json({"case": view.as_dict()})
        return
    stdout.print(f"case {view.id}: {view.state}", markup=False)
    outcome = view.outcome or {}
    categories = outcome.get("categories", {})
    assert isinstance(categories, dict)
    for category, verdict in categories.items():
        done = "erased" if verdict.get("erased") else "kept"
        why = f": {verdict['kept']}" if verdict.get("kept") else ""
        stdout.print(f"{category:>18}  {done}{why}", markup=False)
    recipients = outcome.get("recipients_to_inform", [])
    assert isinstance(recipients, list)
    for recipient in recipients:
        stdout.print(
            f"inform {recipient['recipient']}: {recipient['action']}", markup=False
        )


def correct_command(
    case_id: CaseArg,
    set_: Annotated[
        list[str],
        typer.Option(
            "--set",
            help="FIELD=VALUE, the corrected value the subject asked for "
            "(name, email, phone, street, city, region, postal_code, country); "
            "repeat for several fields.",
        ),
    ],
    person: Annotated[
        int | None,
        typer.Option(help="Person id, when the case names several people."),
    ] = None,
    data: DataOption = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Fulfil a verified correction request: overwrite the fields, keep no old value."""
    from tutela.rights.correction import correct_case

    changes: dict[str, str] = {}
    for item in set_:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInput("give FIELD=VALUE", field="set")
        changes[name.strip()] = value
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = privacy_officer(
            store, settings, as_email, action="fulfil a correction request"
        ).actor.id
        view = correct_case(
            store,
            case_id,
            changes=changes,
            person_id=person,
            actor=actor,
            settings=settings,
        )
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json({"case": view.as_dict()})
    else:
        stdout.print(f"case {view.id}: {view.state}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("erase")(erase_command)
    app.command("correct")(correct_command)


__all__ = ["register"]
