"""`tutela retention run`: apply the policy's retention periods (and only them).

Clauses: secure.measures, collect.* retention. Deleting is a decision about
personal data, so a privacy officer signs in (`--as EMAIL`, or a staff API
token in `TUTELA_STAFF_TOKEN` for the daily job; the `administer` duty) and
the sweep is audited as that person.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption

app = typer.Typer(help="Retention: delete what the policy's periods say is too old.")


@app.command("run")
def run_command(
    data: DataOption = None,
    json: JsonOption = False,
    now: Annotated[
        dt.datetime | None,
        typer.Option(
            help="Pretend it is this time (UTC): what is past its period then "
            "is deleted now (a later time deletes more; there is no dry run)."
        ),
    ] = None,
    as_email: AsOption = None,
) -> None:
    """Sweep fixed-period data (website activity, ad clicks, access-request records).

    Verification data of a closed access-request case goes at once; the
    case itself, with its messages and mail, once the policy's period for
    request records has passed since it closed. Open cases, unsent mail,
    policy-update subscriptions and voicemail are never swept.

    Also destroys the visitor-hash salts of every day before today, so no
    earlier visitor hash can ever be recomputed (run it daily, after the
    nightly log ingest); shreds the zip (file and key) of every access
    export whose download link expired unused; erases the data of accounts
    closed more than TUTELA_FORMER_CUSTOMER_DAYS ago, except what
    TUTELA_LEGAL_HOLDS keep; and deletes ingest quarantine files older than
    TUTELA_QUARANTINE_DAYS.
    """
    from tutela.access.roles import Duty
    from tutela.cli._staff import signed_in_staff
    from tutela.retention.run import run_retention
    from tutela.rights.export import purge_expired
    from tutela.store import BlobStore, open_store

    settings = settings_for(data)
    with open_store(settings) as store:
        staff = signed_in_staff(
            store, settings, as_email, duty=Duty.administer, action="run retention"
        )
        run = run_retention(
            store,
            data_dir=settings.data,
            actor=staff.actor.id,
            holds=settings.legal_holds,
            former_customer_days=settings.former_customer_days,
            quarantine_days=settings.quarantine_days,
            now=now,
        )
        # Export zips are the access-request workflow's own files: it shreds
        # those whose link expired unused (each audited), retention does not
        # reach up into it.
        exports_expired = purge_expired(
            store, blobs=BlobStore.in_data_dir(settings.data), now=run.as_of
        )
    result, salts_destroyed = run.result, run.salts_destroyed
    former, quarantine_files = run.former, run.quarantine_files_deleted
    if json:
        emit_json(
            result.as_dict()
            | {
                "salts_destroyed": salts_destroyed,
                "exports_expired": exports_expired,
                "former_customers": former.as_dict(),
                "quarantine_files_deleted": quarantine_files,
            }
        )
        return
    stdout.print(f"visitor-hash salts destroyed: {salts_destroyed}", markup=False)
    stdout.print(f"expired export zips shredded: {exports_expired}", markup=False)
    for table, count in result.deleted.items():
        stdout.print(f"{table:>20}  {count} deleted", markup=False)
    for what, count in result.cleared.items():
        stdout.print(f"{what:>20}  {count} cleared", markup=False)
    for table, reason in result.kept.items():
        stdout.print(f"{table:>20}  kept: {reason}", markup=False)
    for table in result.not_swept:
        stdout.print(f"{table:>20}  not swept (no age rule yet)", markup=False)
    stdout.print(
        f"former customers: {len(former.accounts)} accounts, "
        f"{sum(former.deleted.values())} rows erased",
        markup=False,
    )
    for category, hold in former.held.items():
        stdout.print(
            f"{category:>20}  held: {hold['reason']} (until {hold['until']})",
            markup=False,
        )
    stdout.print(f"quarantine files deleted: {quarantine_files}", markup=False)
    kept = ", ".join(result.kept_forever)
    stdout.print(f"kept until the customer deletes them: {kept}", markup=False)
