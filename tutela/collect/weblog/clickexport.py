"""Ad-service click exports (Google Ads click report style CSV) read without click ids.

Policy: ad clicks on other sites are recorded, and "information collected
from use of [the] websites is not associated with any personally identifiable
information." An export row becomes an :class:`ExportedClick` with the day,
campaign, ad group, ad, keyword, landing path, device and click count. The
click id columns (GCLID, MSCLKID, fbclid) only tell which network the click
came from: their values are read and dropped. Columns not listed in docs/web.md
(user location, IP-derived areas, ...) are ignored. The header row is found
among the first 20 rows by its column names, in any order; comma, semicolon
and tab delimiters and UTF-8/UTF-16 (Google's "CSV for Excel") are accepted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from tutela.collect.weblog._fields import Reason
from tutela.collect.weblog.devices import DeviceClass
from tutela.collect.weblog.hits import Rejection
from tutela.collect.weblog.logformat import open_log, sniff
from tutela.collect.weblog.sanitize import clean_target, scrub_value

HEADER_SCAN_ROWS = 20
# Longest physical line read (characters): a file without line ends is
# refused at this point instead of being held in memory whole.
MAX_LINE_CHARS = 64 * 1024
# The most clicks one row (or one day's total) may report: a PostgreSQL int4.
MAX_CLICKS = 2**31 - 1
COLUMNS: dict[str, tuple[str, ...]] = {
    "day": ("date", "day", "click date"),
    "campaign": ("campaign", "campaign name"),
    "ad_group": ("ad group", "ad group name", "ad set", "ad set name"),
    "ad_id": ("ad id", "creative id", "ad name"),
    "term": ("keyword", "search keyword"),
    "landing": ("landing page", "final url", "page url", "destination url"),
    "device": ("device",),
    "clicks": ("clicks",),
    "gclid": ("gclid", "google click id"),
    "msclkid": ("msclkid", "microsoft click id"),
    "fbclid": ("fbclid", "facebook click id"),
}
_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%m/%d/%Y", "%b %d, %Y", "%B %d, %Y")
_DATE_FORMATS += ("%a, %b %d, %Y", "%A, %B %d, %Y", "%Y%m%d")
_CLICK_IDS = ("gclid", "msclkid", "fbclid")
_EMPTY = {"", "--", "-", "(not set)"}
_DEVICES = {
    "computers": DeviceClass.DESKTOP,
    "desktop": DeviceClass.DESKTOP,
    "mobile phones": DeviceClass.MOBILE,
    "mobile": DeviceClass.MOBILE,
    "tablets": DeviceClass.TABLET,
    "tablet": DeviceClass.TABLET,
}


@dataclass(frozen=True, slots=True)
class ExportedClick:
    """Clicks on one ad on one day, as an ad service reported them."""

    day: date
    campaign: str
    ad_group: str | None
    ad_id: str | None
    term: str | None
    landing_path: str | None
    click_kind: str | None
    device: DeviceClass | None
    clicks: int

    @property
    def key(self) -> str:
        """Natural key without click count; re-imports replace, never add."""
        parts = (
            *(self.day.isoformat(), self.campaign, self.ad_group, self.ad_id),
            *(self.term, self.landing_path, self.click_kind, self.device),
        )
        text = "\x1f".join("" if p is None else str(p) for p in parts)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def _header_map(row: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, name in enumerate(row):
        for key, aliases in COLUMNS.items():
            if _norm(name) in aliases and key not in found:
                found[key] = index
    return found if "day" in found and "campaign" in found else None


def _parse_day(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _text_stream(raw: BinaryIO) -> io.TextIOWrapper:
    if sniff(raw) in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


class _LineTooLong(Exception):
    """A physical line longer than `MAX_LINE_CHARS`."""


def _bounded_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The lines of ``text``, none longer than `MAX_LINE_CHARS` (else raise)."""
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise _LineTooLong
        yield line


def _rows(
    text: io.TextIOWrapper, file: str
) -> Iterator[tuple[int, list[str]] | Rejection]:
    lines = _bounded_lines(text)
    too_long = (
        f"a line is longer than {MAX_LINE_CHARS} characters; rows after it are not read"
    )
    head: list[str] = []
    cut = False  # a line too long ends the file: CSV cannot find the next row
    try:
        for line in lines:
            head.append(line)
            if len(head) >= HEADER_SCAN_ROWS:
                break
    except UnicodeDecodeError:
        yield Rejection(file, 0, "file is not UTF-8 or UTF-16")
        return
    except _LineTooLong:
        cut = True
    sample = max(head, key=lambda ln: ln.lower().count("campaign"), default="")
    delimiter = max(",\t;", key=sample.count)
    rest: Iterable[str] = () if cut else lines
    reader = csv.reader(itertools.chain(head, rest), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error:
        yield Rejection(file, reader.line_num, "row is not valid CSV")
        return
    except UnicodeDecodeError:
        yield Rejection(file, reader.line_num + 1, "file is not UTF-8 or UTF-16")
        return
    except _LineTooLong:
        cut = True
    if cut:
        yield Rejection(file, reader.line_num + 1, too_long)


def _value(row: list[str], cols: dict[str, int], key: str) -> str | None:
    index = cols.get(key)
    if index is None or index >= len(row):
        return None
    value = row[index].strip()
    return None if value in _EMPTY else value


def _ad_id(value: str | None) -> str | None:
    # The advertiser's own creative id: a number or a short name, never a person.
    if value is None or value.isdigit():
        return value
    return scrub_value(value)


def _click(
    row: list[str], cols: dict[str, int], file: str, line: int
) -> ExportedClick | Rejection:
    day_text, campaign = _value(row, cols, "day"), _value(row, cols, "campaign")
    if day_text is None:
        return Rejection(file, line, "date is missing", "day")
    day = _parse_day(day_text)
    if day is None:
        return Rejection(file, line, "date is not a recognised date", "day")
    if campaign is None:
        return Rejection(file, line, "campaign is missing", "campaign")
    clicks_text = _value(row, cols, "clicks")
    clicks = 1
    if clicks_text is not None:
        digits = clicks_text.replace(",", "")
        if not (digits.isascii() and digits.isdigit()):
            return Rejection(file, line, "clicks is not a whole number", "clicks")
        if len(digits) > 10 or int(digits) > MAX_CLICKS:
            return Rejection(file, line, f"clicks is above {MAX_CLICKS}", "clicks")
        clicks = int(digits)
    # Which network: the first click-id column with a value. The value is dropped.
    kind = next((k for k in _CLICK_IDS if _value(row, cols, k)), None)
    landing = _value(row, cols, "landing")
    device = _value(row, cols, "device")
    term = _value(row, cols, "term")
    return ExportedClick(
        day=day,
        campaign=scrub_value(campaign) or campaign,
        ad_group=scrub_value(_value(row, cols, "ad_group") or ""),
        ad_id=_ad_id(_value(row, cols, "ad_id")),
        term=scrub_value(term) if term else None,
        landing_path=clean_target(landing).path if landing else None,
        click_kind=kind,
        device=_DEVICES.get(device.lower()) if device else None,
        clicks=clicks,
    )


def read_click_export(
    source: str | os.PathLike[str] | BinaryIO, *, name: str | None = None
) -> Iterator[ExportedClick | Rejection]:
    """Stream ExportedClicks and Rejections from an ad-service click export.

    Title rows before the header and "Total" rows after it are skipped; a
    file without a recognisable header gives one Rejection (line 0).
    """
    owned = isinstance(source, str | os.PathLike)
    raw: BinaryIO
    if isinstance(source, str | os.PathLike):
        raw, file = Path(source).open("rb"), name or os.fspath(source)
    else:
        raw, file = source, name or "<stream>"
    stream = open_log(raw)
    text: io.TextIOWrapper | None = None
    line = 0
    try:
        text = _text_stream(stream)
        cols: dict[str, int] | None = None
        for item in _rows(text, file):
            if isinstance(item, Rejection):
                yield item
                continue
            line, row = item
            if cols is None:
                cols = _header_map(row)
                if cols is None and line >= HEADER_SCAN_ROWS:
                    break
                continue
            if not any(cell.strip() for cell in row):
                continue
            if row[0].strip().lower().startswith("total"):
                continue
            yield _click(row, cols, file, line)
        if cols is None:
            yield Rejection(file, 0, "no header row with Date and Campaign columns")
    except (OSError, EOFError, zlib.error):
        # A cut or corrupt gzip member: keep what was read, report the rest.
        yield Rejection(file, line + 1, Reason.CORRUPT)
    finally:
        if text is not None:
            text.detach()  # a TextIOWrapper would close the caller's stream
        if stream is not raw:
            stream.close()
        if owned:
            raw.close()


def summarize(clicks: Iterable[ExportedClick]) -> list[ExportedClick]:
    """Add up clicks that share a natural key (one row per ad, day and landing)."""
    totals: dict[str, ExportedClick] = {}
    for click in clicks:
        seen = totals.get(click.key)
        totals[click.key] = (
            click if seen is None else replace(seen, clicks=seen.clicks + click.clicks)
        )
    return list(totals.values())
