"""`tutela ingest weblog|adclicks` and `tutela web report|destroy-salts`.

Policy: collect.web_use.web_activity, collect.web_use.ad_clicks,
scope.web_unlinked and use.purposes.improve_websites_and_ads. Ingest keeps
only the pseudonymous fields of a visit; salts live in ``<data>/salts`` and
`destroy-salts` makes the hashes of earlier days impossible to recompute.
Nothing printed here ever holds an IP address or a log line.
"""

from __future__ import annotations

import datetime as dt
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
from tutela.store import utcnow

app = typer.Typer(
    help="Website activity and ad clicks: reports and salt destruction.",
    no_args_is_help=True,
)

FileArgument = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, readable=True, help="The file (plain or gzip)."
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="combined, combined_gpc, json (JSON lines) or auto (detect per line).",
    ),
]
SiteOption = Annotated[
    str,
    typer.Option(
        "--site",
        help="The web site the log belongs to (JSON lines may name it in 'host').",
    ),
]
DayOption = Annotated[
    dt.datetime | None,
    typer.Option(
        formats=["%Y-%m-%d"], help="A UTC day, YYYY-MM-DD.", show_default=False
    ),
]


def register_ingest(ingest_app: typer.Typer) -> None:
    """Add `weblog` and `adclicks` to the `ingest` sub-app."""
    ingest_app.command("weblog")(ingest_weblog_command)
    ingest_app.command("adclicks")(ingest_adclicks_command)


def ingest_weblog_command(
    file: FileArgument,
    fmt: FormatOption = "auto",
    site: SiteOption = "default",
    country: Annotated[
        bool,
        typer.Option(help="Derive the country offline from the address (geoip2fast)."),
    ] = True,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Ingest an nginx/Apache access log: pseudonymous visits and ad clicks.

    Exit 0 when every line was used, 1 when some were quarantined.
    """
    from tutela.collect.quarantine import IngestSummary, Quarantine, quarantine_dir
    from tutela.collect.runs import begin_run, end_run, end_run_failed
    from tutela.collect.weblog import default_country_lookup, no_country
    from tutela.collect.weblog.ingest import WEBLOG_FORMATS, ingest_weblog, salts_for
    from tutela.errors import InvalidInput
    from tutela.store import open_store

    if fmt not in WEBLOG_FORMATS:
        raise typer.BadParameter(
            f"use one of {', '.join(WEBLOG_FORMATS)}", param_hint="--format"
        )
    settings = settings_for(data)
    with open_store(settings) as store:
        # The whole file is one transaction: a killed run stores nothing, and
        # its run shows as interrupted once the next run starts.
        run = IngestSummary(source=str(file), kind="weblog", format=fmt)
        run_id = begin_run(store, run)
        try:
            with (
                Quarantine(
                    quarantine_dir(settings.data), source="weblog"
                ) as quarantine,
                store.session() as session,
            ):
                summary = ingest_weblog(
                    file,
                    session=session,
                    salts=salts_for(settings.data),
                    site=site,
                    quarantine=quarantine,
                    fmt=fmt,
                    country=default_country_lookup() if country else no_country,
                )
        except InvalidInput:
            end_run(store, run_id, run, status="refused")
            raise
        except BaseException as exc:
            end_run_failed(store, run_id, run, exc)
            raise
        run.read, run.stored = summary.read, summary.stored
        run.duplicate, run.rejected = summary.duplicates, summary.rejected
        run.quarantine = Path(summary.quarantine) if summary.quarantine else None
        run.extra = {
            "ad_clicks": summary.ad_clicks,
            "bots": summary.bots,
            "gpc_suppressed": summary.gpc_suppressed,
            "quarantine_omitted": summary.quarantine_omitted,
        }
        end_run(store, run_id, run, status="done")
    if json:
        emit_json(summary.as_dict())
    else:
        stdout.print(
            f"{summary.file}: read {summary.read}, stored {summary.stored} "
            f"({summary.duplicates} already stored), bots filtered {summary.bots}, "
            f"rejected {summary.rejected}; ad clicks stored {summary.ad_clicks} "
            f"(GPC: {summary.gpc_suppressed} not attributed)",
            markup=False,
        )
        if summary.quarantine:
            stderr.print(f"quarantined lines: {summary.quarantine}", markup=False)
    if summary.rejected:
        raise typer.Exit(1)


def ingest_adclicks_command(
    file: FileArgument,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Import an ad-service click export (Google Ads style CSV) as daily totals.

    Click-id columns are read only to tell the network; their values are
    dropped. Exit 1 when some rows were quarantined.
    """
    from tutela.collect.quarantine import Quarantine, quarantine_dir
    from tutela.collect.weblog.ingest import ingest_click_export
    from tutela.store import open_store

    settings = settings_for(data)
    with open_store(settings) as store:
        with (
            Quarantine(quarantine_dir(settings.data), source="adclicks") as quarantine,
            store.session() as session,
        ):
            summary = ingest_click_export(file, session=session, quarantine=quarantine)
    if json:
        emit_json(summary.as_dict())
    else:
        stdout.print(
            f"{summary.file}: rows {summary.rows}, totals {summary.totals}, "
            f"clicks {summary.clicks}, rejected {summary.rejected}",
            markup=False,
        )
        if summary.quarantine:
            stderr.print(f"quarantined rows: {summary.quarantine}", markup=False)
    if summary.rejected:
        raise typer.Exit(1)


@app.command("report")
def report_command(
    since: DayOption = None,
    until: DayOption = None,
    site: Annotated[str | None, typer.Option(help="Only this web site.")] = None,
    limit: Annotated[
        int, typer.Option(min=1, help="Rows per list (pages, referrers, campaigns).")
    ] = 20,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Views per page per day, referrers and ad clicks per campaign."""
    from tutela.analytics.report import web_report
    from tutela.store import open_store

    with open_store(settings_for(data)) as store:
        report = web_report(
            store,
            since=since.date() if since else None,
            until=until.date() if until else None,
            site=site,
            limit=limit,
        )
    if json:
        emit_json(report.as_dict())
        return
    out = stdout.print
    out(f"views {report.views}, ad landings {report.ad_clicks}", markup=False)
    out("\nper day             views  visitors  ad clicks", markup=False)
    for d in report.days:
        out(f"  {d.day}  {d.views:>12} {d.visitors:>9} {d.ad_clicks:>10}", markup=False)
    out("\npages (per day)", markup=False)
    for p in report.pages:
        out(f"  {p.day}  {p.views:>6}  {p.site}{p.page}", markup=False)
    out("\nreferrers", markup=False)
    for r in report.referrers:
        out(f"  {r.views:>6}  {r.referrer_host or '(direct or unknown)'}", markup=False)
    out("\ncampaigns        landings  reported", markup=False)
    for c in report.campaigns:
        name = c.campaign or "(click id only)"
        out(f"  {name:<14} {c.landings:>8} {c.reported:>9}", markup=False)


@app.command("destroy-salts")
def destroy_salts_command(
    before: DayOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Destroy the visitor-hash salts of every day before BEFORE (default: today, UTC).

    Run it once a day after the previous day's logs are ingested: from then on
    nobody can recompute those days' visitor hashes, and their lines can no
    longer be ingested.
    """
    from tutela.collect.weblog.ingest import salts_for

    settings = settings_for(data)
    day = before.date() if before else utcnow().date()
    salts = salts_for(settings.data)
    destroyed = salts.destroy_before(day)
    horizon = salts.horizon()
    if json:
        emit_json(
            {
                "destroyed": destroyed,
                "horizon": horizon.isoformat() if horizon else None,
            }
        )
    else:
        stdout.print(
            f"destroyed {destroyed} salt(s); days before {horizon} are closed",
            markup=False,
        )
