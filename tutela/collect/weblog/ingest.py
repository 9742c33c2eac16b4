"""Ingest web logs, beacons and ad-service click exports into the unlinkable web tables.

Policy: collect.web_use.web_activity ("the content viewed, the date and time
it was viewed, or the IP address from which it was viewed"),
collect.web_use.ad_clicks ("collects information about which ads are
clicked") and scope.web_unlinked ("not associated with any personally
identifiable information").

The pure pipeline in :mod:`tutela.collect.weblog` turns each line into a
:class:`~tutela.collect.weblog.Visit`, an :class:`~tutela.collect.weblog.AdClick`
or a :class:`~tutela.collect.weblog.Rejection`; this module writes them:

* visits and ad clicks in batches of ``INSERT .. ON CONFLICT (dedupe_key) DO
  NOTHING``, so re-running an ingest stores nothing twice;
* rejections to the shared quarantine (file, line, field, reason; never the line,
  which holds the visitor's IP address);
* ad-service click exports as per-day totals, upserted on their natural key
  so an overlapping re-import replaces counts instead of adding to them.

Nothing here logs or raises with a field value; logs carry counts only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from ipaddress import ip_address
from pathlib import Path
from typing import Any, BinaryIO, Literal

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tutela.collect.quarantine import Quarantine
from tutela.collect.weblog.adclicks import AdClick
from tutela.collect.weblog.clickexport import (
    MAX_CLICKS,
    ExportedClick,
    read_click_export,
)
from tutela.collect.weblog.geo import CountryLookup, no_country
from tutela.collect.weblog.hits import Hit, Rejection
from tutela.collect.weblog.logformat import LogFormat, read_log
from tutela.collect.weblog.pipeline import WebLogPipeline
from tutela.collect.weblog.salts import DirectorySaltStore, SaltStore
from tutela.collect.weblog.sanitize import mask_ips
from tutela.collect.weblog.visits import Visit
from tutela.errors import InvalidInput
from tutela.store.models import AdClick as AdClickRow
from tutela.store.models import AdClickTotal, WebVisit

logger = logging.getLogger(__name__)

WeblogFormat = Literal["auto", "combined", "combined_gpc", "json", "jsonl"]
WEBLOG_FORMATS: tuple[WeblogFormat, ...] = (
    "auto",
    "combined",
    "combined_gpc",
    "json",
    "jsonl",
)
BATCH_SIZE = 2000
# Distinct daily totals one click export may hold (they are summed in memory
# before they are stored); rows for more are quarantined: split the file.
MAX_TOTALS = 100_000
TOO_MANY_TOTALS = (
    f"the export holds more than {MAX_TOTALS} distinct daily totals; "
    "split it (e.g. by month) and import the parts"
)
TOTAL_TOO_BIG = "the day's clicks for this ad add up to more than 2**31 - 1"
SALTS_DIR = "salts"
SITE_CHARS = 120
SITE_TOO_LONG = f"site name is longer than {SITE_CHARS} characters"
_VISITS: Table = WebVisit.__table__  # type: ignore[assignment]
_CLICKS: Table = AdClickRow.__table__  # type: ignore[assignment]
_TOTALS: Table = AdClickTotal.__table__  # type: ignore[assignment]


@dataclass
class WeblogSummary:
    """What one ingest did: lines read, visits stored, bots filtered, lines refused."""

    file: str
    site: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    ad_clicks: int = 0
    bots: int = 0
    rejected: int = 0
    gpc_suppressed: int = 0
    quarantine: str | None = None
    quarantine_omitted: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data (``--json`` output)."""
        return asdict(self)


@dataclass
class ClickExportSummary:
    """What one click-export import did."""

    file: str
    rows: int = 0
    totals: int = 0
    clicks: int = 0
    rejected: int = 0
    quarantine: str | None = None
    quarantine_omitted: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data (``--json`` output)."""
        return asdict(self)


def salts_for(data_dir: Path) -> DirectorySaltStore:
    """The daily salts of a data directory: ``<data>/salts``, never the database."""
    return DirectorySaltStore(data_dir / SALTS_DIR)


def _dialect_insert(session: Session, table: Table) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise InvalidInput(f"unsupported database dialect {name!r}", field="database_url")


def visit_row(visit: Visit) -> dict[str, Any]:
    """The ``web_visits`` row for a Visit (column names of the store)."""
    return {
        "dedupe_key": visit.dedupe_key,
        "site": visit.site,
        "page": visit.path,
        "viewed_at": visit.timestamp,
        "referrer_host": visit.referrer_host,
        "device_class": str(visit.device),
        "country": visit.country,
        "ip_truncated": visit.ip_prefix,
        "visitor_hash": visit.visitor_hash,
    }


def ad_click_row(click: AdClick) -> dict[str, Any]:
    """The ``ad_clicks`` row for an AdClick (utm_content is the ad)."""
    return {
        "dedupe_key": click.dedupe_key,
        "site": click.site,
        "source": click.source,
        "medium": click.medium,
        "campaign": click.campaign,
        "term": click.term,
        "ad": click.content,
        "click_kind": click.click_kind,
        "clicked_at": click.timestamp,
        "landing_page": click.landing_path,
        "visitor_hash": click.visitor_hash,
    }


class WebRecordWriter:
    """Batches Visits and AdClicks into idempotent inserts on one session.

    The caller owns the transaction; :meth:`flush` must be called before it
    commits. ``visits_stored`` and ``ad_clicks_stored`` count rows really
    inserted (a dedupe-key conflict inserts nothing).
    """

    def __init__(self, session: Session, *, batch_size: int = BATCH_SIZE) -> None:
        self.session = session
        self.batch_size = batch_size
        self.visits_stored = 0
        self.ad_clicks_stored = 0
        self._visits: list[dict[str, Any]] = []
        self._clicks: list[dict[str, Any]] = []

    def add(self, record: Visit | AdClick) -> None:
        """Queue one record; writes a batch when it is full."""
        if isinstance(record, Visit):
            self._visits.append(visit_row(record))
        else:
            self._clicks.append(ad_click_row(record))
        if len(self._visits) + len(self._clicks) >= self.batch_size:
            self.flush()

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        stmt = (
            _dialect_insert(self.session, table)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(table.c.id)
        )
        return len(self.session.execute(stmt, rows).all())

    def flush(self) -> None:
        """Write every queued record."""
        # Visits first: an ad click follows its visit, never the other way round.
        self.visits_stored += self._insert(_VISITS, self._visits)
        self.ad_clicks_stored += self._insert(_CLICKS, self._clicks)
        self._visits.clear()
        self._clicks.clear()


def _checked_hits(
    records: Iterable[Hit | Rejection], default_site: str
) -> Iterator[Hit | Rejection]:
    """Refuse hits whose site would not fit the store; never let a site be an IP."""
    for record in records:
        if isinstance(record, Rejection):
            yield record
            continue
        if len(record.site) > SITE_CHARS:
            yield Rejection(record.file, record.line, SITE_TOO_LONG, "host")
            continue
        if _is_ip(record.site) and record.site != default_site:
            # nginx $host is the server address when a client asks by IP; keep
            # every address out of the store, even our own.
            record = replace(record, site=default_site)
        yield record


def _quarantine(quarantine: Quarantine, rejection: Rejection) -> None:
    # Never the line itself (``excerpt``): a web-log line holds the full IP.
    quarantine.add(
        file=rejection.file,
        line=rejection.line,
        reason=mask_ips(rejection.reason),
        field=rejection.field,
    )


def _is_ip(text: str) -> bool:
    try:
        ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _log_format(fmt: WeblogFormat) -> LogFormat:
    if fmt not in WEBLOG_FORMATS:
        raise InvalidInput(
            f"unknown log format; use one of {', '.join(WEBLOG_FORMATS)}",
            field="format",
        )
    return "jsonl" if fmt == "json" else fmt


def ingest_weblog(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    session: Session,
    salts: SaltStore,
    site: str,
    quarantine: Quarantine,
    fmt: WeblogFormat = "auto",
    country: CountryLookup = no_country,
    name: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> WeblogSummary:
    """Stream a web log (plain or gzip) into ``web_visits`` and ``ad_clicks``.

    Bots are counted and dropped, refused lines go to ``quarantine``. The
    caller commits ``session``; re-running on the same file stores nothing new
    while the day's salt lives (and refuses the lines once it is destroyed).
    """
    log_fmt = _log_format(fmt)
    if not site or len(site) > SITE_CHARS:
        raise InvalidInput(
            f"give the site name (1 to {SITE_CHARS} characters)", field="site"
        )
    label = (
        name
        if name is not None
        else (
            os.fspath(source) if isinstance(source, str | os.PathLike) else "<stream>"
        )
    )
    pipeline = WebLogPipeline(salts, country=country)
    writer = WebRecordWriter(session, batch_size=batch_size)
    summary = WeblogSummary(file=label, site=site)
    hits = _checked_hits(read_log(source, site=site, fmt=log_fmt, name=label), site)
    for record in pipeline.process(hits):
        if isinstance(record, Rejection):
            _quarantine(quarantine, record)
        else:
            writer.add(record)
    writer.flush()
    counts = pipeline.counts
    summary.read = counts.lines
    summary.stored = writer.visits_stored
    summary.duplicates = counts.visits - writer.visits_stored
    summary.ad_clicks = writer.ad_clicks_stored
    summary.bots = counts.bots
    summary.rejected = counts.rejected
    summary.gpc_suppressed = counts.gpc_suppressed
    summary.quarantine = str(quarantine.path) if quarantine.path else None
    summary.quarantine_omitted = quarantine.omitted
    logger.info(
        "web.ingest.done",
        extra={k: v for k, v in summary.as_dict().items() if isinstance(v, int)},
    )
    return summary


def store_web_records(
    records: Iterable[Visit | AdClick | Rejection], *, session: Session
) -> tuple[int, int, list[Rejection]]:
    """Store the records of one beacon: (visits stored, ad clicks stored, refused)."""
    writer = WebRecordWriter(session)
    refused: list[Rejection] = []
    for record in records:
        if isinstance(record, Rejection):
            refused.append(record)
        else:
            writer.add(record)
    writer.flush()
    return writer.visits_stored, writer.ad_clicks_stored, refused


def _total_row(click: ExportedClick) -> dict[str, Any]:
    return {
        "export_key": click.key,
        "day": click.day,
        "campaign": click.campaign,
        "ad_group": click.ad_group,
        "ad": click.ad_id,
        "term": click.term,
        "landing_page": click.landing_path,
        "click_kind": click.click_kind,
        "device_class": str(click.device) if click.device is not None else None,
        "clicks": click.clicks,
    }


def _fits(click: ExportedClick) -> bool:
    texts = (click.campaign, click.ad_group, click.ad_id, click.term)
    return all(t is None or len(t) <= 200 for t in texts)


def ingest_click_export(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    session: Session,
    quarantine: Quarantine,
    name: str | None = None,
) -> ClickExportSummary:
    """Import an ad-service click export (CSV) as per-day totals in ``ad_click_totals``.

    Rows sharing a natural key are added up; a row already stored from an
    earlier, overlapping export gets the new count (never the sum of both).
    Click-id values are discarded by the reader and never reach the store.
    """
    label = (
        name
        if name is not None
        else (
            os.fspath(source) if isinstance(source, str | os.PathLike) else "<stream>"
        )
    )
    summary = ClickExportSummary(file=label)
    totals: dict[str, ExportedClick] = {}
    for record in read_click_export(source, name=label):
        if isinstance(record, Rejection):
            summary.rejected += 1
            _quarantine(quarantine, record)
            continue
        if not _fits(record):
            summary.rejected += 1
            _quarantine(quarantine, Rejection(label, 0, "a text column is too long"))
            continue
        seen = totals.get(record.key)
        problem = None
        if seen is None and len(totals) >= MAX_TOTALS:
            problem = TOO_MANY_TOTALS
        elif seen is not None and seen.clicks + record.clicks > MAX_CLICKS:
            problem = TOTAL_TOO_BIG
        if problem is not None:
            summary.rejected += 1
            _quarantine(quarantine, Rejection(label, 0, problem))
            continue
        summary.rows += 1
        if seen is not None:
            record = replace(seen, clicks=seen.clicks + record.clicks)
        totals[record.key] = record
    rows = [_total_row(click) for click in totals.values()]
    table = _TOTALS
    for start in range(0, len(rows), BATCH_SIZE):
        stmt = _dialect_insert(session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["export_key"], set_={"clicks": stmt.excluded.clicks}
        )
        session.execute(stmt, rows[start : start + BATCH_SIZE])
    summary.totals = len(rows)
    summary.clicks = sum(click.clicks for click in totals.values())
    summary.quarantine = str(quarantine.path) if quarantine.path else None
    summary.quarantine_omitted = quarantine.omitted
    logger.info(
        "web.click_export.done",
        extra={k: v for k, v in summary.as_dict().items() if isinstance(v, int)},
    )
    return summary
