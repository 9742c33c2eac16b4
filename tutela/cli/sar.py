"""`tutela sar intake|list|show|verify|decide|extend|deliver|alerts|smtp`: subject access requests.

Clauses: rights.access, rights.access.request, rights.access.verification,
rights.access.fee_or_reject, changes.subscribe. `export` builds the zip of a
verified case, fulfils it and mails a single-use link. Every command that
reads, verifies, decides or exports a case signs a privacy officer in
(`--as EMAIL`, see `tutela.cli._staff`) and acts as `staff:<user id>`;
`intake`, `deliver`, `alerts` and `smtp` are operator jobs. Exit codes: 0 done, 1 done
but something was refused (an oversized message, a failed verification), 2
unusable (including a refused sign-in).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
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
from tutela.cli._staff import AsOption, privacy_officer
from tutela.errors import InvalidInput
from tutela.rights.requests import case_id_of
from tutela.store import open_store

app = typer.Typer(
    help="Requests about personal data (access, erasure, correction): intake, verify, decide, export, erase, correct.",
    no_args_is_help=True,
)

CaseArg = Annotated[
    str,
    typer.Argument(
        help="Case id or reference, e.g. 12 or SAR-1F4DED2E (see `tutela sar list`).",
        show_default=False,
        metavar="CASE",
    ),
]


@app.command("intake")
def intake_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="A message (.eml), an mbox file or a Maildir.", show_default=False
        ),
    ],
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Store every message with its route; open or join cases; send what is due."""
    from tutela.mail import deliver
    from tutela.rights.intake import intake_path

    settings = settings_for(data)
    with open_store(settings) as store:
        report = intake_path(store, path, settings=settings)
        if settings.smtp_host:
            deliver(store, settings)
    if json:
        emit_json(
            {
                "messages": [r.as_dict() for r in report.results],
                "rejected": report.rejected,
                "quarantined": report.quarantined,
                "not_quarantined": report.not_quarantined,
            }
        )
    else:
        for r in report.results:
            case = "-" if r.case_id is None else str(r.case_id)
            dup = " (already stored)" if r.duplicate else ""
            stdout.print(
                f"{r.route:<15} case {case:<6} {r.message_id}{dup}", markup=False
            )
        for problem in report.rejected:
            stderr.print(f"refused: {problem}", markup=False)
        if report.quarantined or report.not_quarantined:
            stderr.print(
                f"quarantined {report.quarantined} message(s) "
                "(`tutela inbox list --quarantined`); "
                f"{report.not_quarantined} more over the cap stay in the source",
                markup=False,
            )
    if report.rejected:
        raise typer.Exit(1)


@app.command("list")
def list_command(
    data: DataOption = None,
    due: Annotated[
        bool,
        typer.Option(
            "--due", help="Only open cases that are overdue or due within 7 days."
        ),
    ] = False,
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """List cases by deadline (a privacy officer signs in)."""
    from tutela.rights.cases import list_cases

    settings = settings_for(data)
    with open_store(settings) as store:
        privacy_officer(store, settings, as_email, action="list access requests")
        views = list_cases(store, due_only=due, state=state)
    if json:
        emit_json({"cases": [v.as_dict() for v in views], "count": len(views)})
        return
    for v in views:
        stdout.print(
            f"{v.id:>5}  {v.ref}  {v.kind:<10} {v.state:<13} {v.deadline_rule:<6} "
            f"due {v.due:%Y-%m-%d}"
            f"  {v.due_status or ''}  risk {v.risk}",
            markup=False,
        )


@app.command("show")
def show_command(
    case: CaseArg,
    data: DataOption = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """One case: state, deadlines, verification and its history."""
    from tutela.rights import verification
    from tutela.rights.cases import show_case

    settings = settings_for(data)
    with open_store(settings) as store:
        case_id = case_id_of(store, case)
        privacy_officer(store, settings, as_email, action="read an access request")
        v = show_case(store, case_id)
        proposed = verification.proposals(store, case_id)
    if json:
        emit_json(
            {
                "case": v.as_dict(),
                "override_proposals": [p.__dict__ for p in proposed],
            }
        )
        return
    stdout.print(
        f"case {v.id} {v.ref}: {v.kind} request, {v.state} "
        f"(channel {v.channel}, risk {v.risk})",
        markup=False,
    )
    stdout.print(
        f"  rule {v.deadline_rule}, due {v.due:%Y-%m-%d %H:%M} UTC {v.due_status or ''}",
        markup=False,
    )
    if v.auth_failures:
        stdout.print(
            f"  failed authentication: {', '.join(v.auth_failures)}", markup=False
        )
    if v.verification_method:
        stdout.print(
            f"  verified by {v.verification_method} ({v.verification_level})",
            markup=False,
        )
    for p in proposed:
        whom = f"person {p.person_id}" if p.person_id else "whoever the case matched"
        stdout.print(
            f"  override proposal {p.id} by {p.proposer} for {whom}: {p.reason}",
            markup=False,
        )
    if v.prior_requests:
        stdout.print(
            f"  {v.prior_requests} earlier request(s) in 12 months", markup=False
        )
    for e in v.events:
        stdout.print(
            f"  {e.at:%Y-%m-%d %H:%M} {e.from_state or '-'} -> {e.to_state} by {e.actor} {e.note or ''}",
            markup=False,
        )


@app.command("verify")
def verify_command(
    case: CaseArg,
    data: DataOption = None,
    send_code: Annotated[
        bool,
        typer.Option(
            "--send-code",
            help="Send a new one-time code to the address on file; with --phone, "
            "a code for you to read out on a call back to that number.",
        ),
    ] = False,
    code: Annotated[
        str | None, typer.Option(help="The one-time code the requester gave back.")
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option(
            help="With --send-code: the line to call back, in + form (a line the "
            "case's person holds, assigned to them or verified)."
        ),
    ] = None,
    propose_override: Annotated[
        str | None,
        typer.Option(
            "--propose-override", help="Propose a staff override with this reason."
        ),
    ] = None,
    proposal: Annotated[
        int | None,
        typer.Option(
            "--proposal",
            help="With --approve-override: the id of the proposal you reviewed "
            "(`tutela sar show`); needed when the case has several.",
        ),
    ] = None,
    person: Annotated[
        int | None,
        typer.Option(
            "--person",
            help="With --propose-override: the person the request is about, when "
            "the case matched several (an address two people hold).",
        ),
    ] = None,
    approve_override: Annotated[
        bool,
        typer.Option(
            "--approve-override",
            help="Approve another privacy officer's override (not your own).",
        ),
    ] = False,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Verify the requester's identity by one method (a privacy officer signs in)."""
    from tutela.rights import verification as v

    settings = settings_for(data)
    call_back: str | None = None
    with open_store(settings) as store:
        case_id = case_id_of(store, case)
        officer = privacy_officer(
            store, settings, as_email, action="verify an access request"
        )
        staff = officer.actor.id
        if send_code and phone:
            # A code for staff to read out on a call TO the number (a call-back).
            outcome, call_back = v.send_phone_code(
                store, case_id, phone, staff=staff, settings=settings
            )
        elif send_code:
            outcome = v.start(store, case_id, settings=settings)
        elif code is not None:
            outcome = v.submit_code(
                store, case_id, code, staff=staff, settings=settings
            )
        elif approve_override:
            outcome = v.approve_override(
                store, case_id, staff=staff, proposal_id=proposal
            )
        elif propose_override is not None:
            outcome = v.propose_override(
                store, case_id, staff=staff, reason=propose_override, person_id=person
            )
        else:
            raise InvalidInput(
                "choose --send-code, --code or an override", field="method"
            )
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json(
            {
                "case_id": outcome.case_id,
                "state": outcome.state,
                "verified": outcome.verified,
                "detail": outcome.detail,
                "level": outcome.level,
                **({"call_back_code": call_back} if call_back else {}),
            }
        )
    else:
        stdout.print(
            f"case {outcome.case_id}: {outcome.state} ({outcome.detail})", markup=False
        )
        if call_back:
            stdout.print(
                f"call the number back and read out this code: {call_back}",
                markup=False,
            )


@app.command("decide")
def decide_command(
    case: CaseArg,
    data: DataOption = None,
    fulfil: Annotated[
        bool,
        typer.Option("--fulfil", help="Fulfil with the export named by --export-ref."),
    ] = False,
    export_ref: Annotated[
        str | None,
        typer.Option(help="Reference of the export that fulfils the request."),
    ] = None,
    fee: Annotated[
        str | None, typer.Option(help="Ask this fee (e.g. 25.00); needs --reason.")
    ] = None,
    fee_paid: Annotated[
        bool, typer.Option("--fee-paid", help="Record that the fee was paid.")
    ] = False,
    reject: Annotated[
        str | None,
        typer.Option(
            help="Reject: manifestly_unfounded, excessive, repetitive, impractical or identity_not_verified."
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            help="Reason code for a fee (manifestly_unfounded, excessive, repetitive)."
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option(help="Internal note kept with a rejection (no personal data)."),
    ] = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Decide a case: fulfil it, ask a fee, or reject it, with a reason."""
    from tutela.rights import decisions

    settings = settings_for(data)
    chosen = sum([fulfil, fee is not None, reject is not None, fee_paid])
    if chosen != 1:
        raise InvalidInput(
            "choose exactly one of --fulfil, --fee, --fee-paid, --reject",
            field="decision",
        )
    with open_store(settings) as store:
        case_id = case_id_of(store, case)
        actor = privacy_officer(
            store, settings, as_email, action="decide an access request"
        ).actor.id
        if fulfil:
            view = decisions.fulfil(
                store, case_id, export_ref=export_ref or "", actor=actor
            )
        elif fee is not None:
            view = decisions.request_fee(
                store,
                case_id,
                amount=fee,
                reason=reason or "",
                actor=actor,
                settings=settings,
            )
        elif fee_paid:
            view = decisions.record_fee_paid(store, case_id, actor=actor)
        else:
            view = decisions.reject(
                store,
                case_id,
                reason=reject or "",
                actor=actor,
                settings=settings,
                note=note,
            )
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json({"case": view.as_dict()})
    else:
        stdout.print(f"case {view.id}: {view.state}", markup=False)


@app.command("export")
def export_command(
    case: CaseArg,
    data: DataOption = None,
    as_email: AsOption = None,
    valid_hours: Annotated[
        int, typer.Option(help="Hours the download link stays valid (1-720).")
    ] = 168,
    require_email: Annotated[
        bool,
        typer.Option(
            "--require-email",
            help="The download page asks for the verified e-mail address too.",
        ),
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Public base URL of `tutela serve` for the link "
            "(default: TUTELA_PUBLIC_URL, else http://HOST:PORT from the settings)."
        ),
    ] = None,
    show_link: Annotated[
        bool,
        typer.Option(
            "--show-link",
            help="Also print the link (to hand over by another channel when "
            "the case has no verified e-mail).",
        ),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Build the export of a verified case, fulfil it, e-mail the download link."""
    from tutela.rights.export import export_case

    if not 1 <= valid_hours <= 720:
        raise InvalidInput("must be between 1 and 720", field="valid_hours")
    settings = settings_for(data)
    with open_store(settings) as store:
        case_id = case_id_of(store, case)
        officer = privacy_officer(
            store, settings, as_email, action="export an access request"
        )
        result = export_case(
            store,
            case_id,
            settings=settings,
            actor=officer.actor.id,
            base_url=base_url,
            ttl=dt.timedelta(hours=valid_hours),
            require_email=require_email,
        )
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json({"export": result.as_dict(show_link=show_link)})
        return
    stdout.print(
        f"case {result.case_id}: export {result.export_ref}, {result.size} bytes, "
        f"{sum(result.counts.values())} rows, {result.audio_files} audio file(s); "
        f"link sent to {result.sent_to} verified address(es), valid until "
        f"{result.expires_at:%Y-%m-%d %H:%M} UTC",
        markup=False,
    )
    if result.sent_to == 0:
        stderr.print(
            "no verified e-mail channel: nothing was sent; use --show-link and "
            "hand the link over in person",
            markup=False,
        )
    if show_link:
        stdout.print(result.link, markup=False)


@app.command("extend")
def extend_command(
    case: CaseArg,
    reason: Annotated[
        str,
        typer.Option(
            help="Why more time is needed (sent to the requester).", show_default=False
        ),
    ],
    data: DataOption = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Extend the deadline as far as the law allows, with notice and reasons."""
    from tutela.rights.decisions import extend

    settings = settings_for(data)
    with open_store(settings) as store:
        case_id = case_id_of(store, case)
        officer = privacy_officer(
            store, settings, as_email, action="extend an access request"
        )
        view = extend(
            store, case_id, reason=reason, actor=officer.actor.id, settings=settings
        )
    if json:
        emit_json({"case": view.as_dict()})
    else:
        stdout.print(f"case {view.id}: due {view.due:%Y-%m-%d}", markup=False)


@app.command("deliver")
def deliver_command(data: DataOption = None, json: JsonOption = False) -> None:
    """Send pending outbox mail through the SMTP relay (TUTELA_SMTP_HOST)."""
    from tutela.mail import deliver

    settings = settings_for(data)
    with open_store(settings) as store:
        report = deliver(store, settings)
    if json:
        emit_json(report.as_dict())
    else:
        stdout.print(
            f"sent {report.sent}, failed {report.failed}, pending {report.pending}",
            markup=False,
        )


@app.command("alerts")
def alerts_command(data: DataOption = None, json: JsonOption = False) -> None:
    """E-mail the privacy officers about new cases and cases due soon (once a day each).

    An operator job: run it from cron or the worker as often as you like;
    a new case is announced once, a due-soon or overdue case once per day.
    """
    from tutela.rights.alerts import send_alerts

    settings = settings_for(data)
    with open_store(settings) as store:
        report = send_alerts(store, settings=settings)
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json(report.as_dict())
    else:
        stdout.print(
            f"alerted {report.officers} officer(s): {report.new} new case(s), "
            f"{report.due} due soon or overdue",
            markup=False,
        )


@app.command("smtp")
def smtp_command(
    data: DataOption = None,
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Listen port.")] = 2525,
) -> None:
    """Receive mail for the legal address over SMTP and run intake on it.

    Answers 250 when stored, 554 for a message that is refused for good (kept
    in quarantine), 451 only when the store fails or the queue is full.
    """
    import signal

    from tutela.audit.sealing import sealing_every
    from tutela.rights.matching import resume
    from tutela.rights.smtp_listener import FollowUps, controller

    def stopped(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # the same orderly end as Ctrl-C: seal, then exit

    settings = settings_for(data)
    store = open_store(settings)
    follow_ups = FollowUps()
    smtp = controller(store, settings, host=host, port=port, follow_ups=follow_ups)
    smtp.start()
    follow_ups.submit(lambda: None if resume(store, settings=settings) else None)
    stderr.print(f"SMTP for the legal address on {host}:{port}", markup=False)
    signal.signal(signal.SIGTERM, stopped)
    # What the listener appends is signed and witnessed while it runs.
    try:
        with sealing_every(settings.audit_seal_seconds):
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
            finally:
                smtp.stop()  # and finishes the work queued after the answers
    finally:
        store.close()
