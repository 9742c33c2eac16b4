"""`tutela sar erase|stop-erasure|correct`: answer erasure and correction requests.

Clauses: rights.access (the export offers correction and deletion),
rights.access.request, rights.access.verification. Each acts on a verified
case of its kind only, at the level of proof its action needs
(docs/verification.md), signs a privacy officer in (`--as EMAIL`) and acts
as `staff:<user id>`; the mail says what was done, never a value. An
erasure runs in two steps: the first `sar erase` tells every address on
file and schedules it; once the cooling-off period has passed, `sar erase`
again erases. `register` adds the commands to the `sar` sub-app.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, privacy_officer
from tutela.errors import InvalidInput
from tutela.rights.requests import case_id_of
from tutela.store import open_store

CaseArg = Annotated[
    str,
    typer.Argument(
        help="Case id or reference, e.g. 12 or SAR-1F4DED2E (see `tutela sar list`).",
        show_default=False,
        metavar="CASE",
    ),
]


def erase_command(
    case: CaseArg,
    replies_read: Annotated[
        bool,
        typer.Option(
            "--replies-read",
            help="You read the messages about the case that arrived after its "
            "verification (they hold the erasure) and none objects: mark them "
            "handled and erase.",
        ),
    ] = False,
    data: DataOption = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Schedule, then fulfil, a verified erasure request.

    The first run tells every address on file and schedules the erasure
    after TUTELA_ERASURE_COOLING_OFF_DAYS (the person may stop it). A run
    after that erases the subject and keeps what the law keeps: per category
    the outcome says what was erased and what was kept and why (legal holds
    from TUTELA_LEGAL_HOLDS, the record of the request, the business
    account's own records) and which recipients of the disclosure ledger to
    inform; the subject is told the same by mail.
    """
    from tutela.rights.erasure import erase_case

    settings = settings_for(data)
    with open_store(settings) as store:
        case_id = case_id_of(store, case)
        actor = privacy_officer(
            store, settings, as_email, action="fulfil an erasure request"
        ).actor.id
        view = erase_case(
            store, case_id, actor=actor, settings=settings, replies_read=replies_read
        )
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json({"case": view.as_dict()})
        return
    if view.erase_after is not None and view.state != "fulfilled":
        stdout.print(
            f"case {view.id}: erasure scheduled; the addresses on file were told. "
            f"Run `tutela sar erase {view.id}` again after "
            f"{view.erase_after:%Y-%m-%d %H:%M} UTC.",
            markup=False,
        )
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


def stop_erasure_command(
    case: CaseArg,
    data: DataOption = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Stop a scheduled erasure on the word of the person it concerns.

    For when they phone or reply instead of opening the link in the notice.
    The case closes as rejected (stopped_by_subject) and nothing is erased.
    """
    from tutela.rights.cooling_off import stop_erasure

    settings = settings_for(data)
    with open_store(settings) as store:
        case_id = case_id_of(store, case)
        actor = privacy_officer(
            store, settings, as_email, action="stop a scheduled erasure"
        ).actor.id
        view = stop_erasure(store, settings=settings, case_id=case_id, actor=actor)
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json({"case": view.as_dict()})
    else:
        stdout.print(f"case {view.id}: {view.state} (erasure stopped)", markup=False)


def correct_command(
    case: CaseArg,
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
        case_id = case_id_of(store, case)
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
    app.command("stop-erasure")(stop_erasure_command)
    app.command("correct")(correct_command)


__all__ = ["register"]
