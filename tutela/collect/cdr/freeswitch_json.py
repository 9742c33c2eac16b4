"""Parser for FreeSWITCH mod_json_cdr records (format name ``freeswitch-json``).

Policy clause ``collect.service_use.call_records``: reads the source, destination
and duration of every call leg FreeSWITCH logged as JSON.

Two layouts are detected from the first non-blank line: if it ends with ``}`` and
is not a lone ``{``, the file is JSON lines (one record per line); otherwise it
holds whole documents (mod_json_cdr writes one pretty-printed document per file;
several concatenated ones are read too, up to 16 MiB in all). Values come from
``variables`` (numbers may be strings) and, when missing there, from the current
caller profile (``callflow[0].caller_profile``). With ``encode-values`` on, every
variable is URL-encoded; this is detected per record (an encoded ``start_stamp``,
or ``%XX`` escapes and no character an encoder would have escaped) and decoded.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import Any, Final

from tutela.collect.cdr import _freeswitch
from tutela.collect.cdr._fields import RowError, epoch, local_stamp, resolve_tz
from tutela.collect.cdr._source import Source, decode, gate, opened, reject
from tutela.collect.cdr._source import physical_lines as _lines
from tutela.collect.cdr.records import CdrItem

FORMAT: Final = "freeswitch-json"
MAX_DOCUMENT_BYTES: Final = 16 << 20
_PCT: Final = re.compile(r"%[0-9A-Fa-f]{2}")
_PROFILE_KEYS: Final = (
    "caller_id_name",
    "caller_id_number",
    "destination_number",
    "context",
)


def parse(
    stream_or_path: Source, *, source_name: str, tz: str | tzinfo = "UTC"
) -> Iterator[CdrItem]:
    """Yield a `CdrRecord` or `Rejection` per JSON record, lazily.

    ``tz`` is used only for records that carry stamps but no epochs. Raises
    `tutela.errors.InvalidInput` if no record is recognisably a mod_json_cdr one
    (a JSON object with a ``variables`` object).
    """
    zone = resolve_tz(tz)
    return gate(
        _items(stream_or_path, source_name, zone), source_name=source_name, fmt=FORMAT
    )


def _items(source: Source, name: str, tz: tzinfo) -> Iterator[tuple[bool, CdrItem]]:
    with opened(source) as fh:
        lines = _lines(fh, exact=True)  # the stream is read on after line 1
        first = next((pl for pl in lines if pl.text.strip()), None)
        if first is None:
            return
        head = first.text.strip()
        if head != "{" and head.endswith("}"):
            yield _record(first.text, first.number, name, tz)
            for pl in lines:
                if pl.text.strip():
                    yield _record(pl.text, pl.number, name, tz)
            return
        rest = fh.read(MAX_DOCUMENT_BYTES + 1)
        if len(rest) > MAX_DOCUMENT_BYTES:
            yield False, reject(name, 1, "JSON document larger than 16 MiB", head)
            return
        text = "\n" * (first.number - 1) + first.text + "\n" + decode(rest)
        yield from _documents(text, name, tz)


def _documents(text: str, name: str, tz: tzinfo) -> Iterator[tuple[bool, CdrItem]]:
    decoder = json.JSONDecoder()
    pos = 0
    # Line numbers counted on from the last document, never from the start:
    # a file of millions of tiny documents stays linear.
    line, counted = 1, 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            doc, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):
            yield False, reject(name, line, "not valid JSON", text[pos : pos + 200])
            nxt = text.find("\n{", pos + 1)
            if nxt == -1:
                return
            pos = nxt + 1
            continue
        yield _from_doc(doc, line, name, tz, text[pos : pos + 200])
        pos = end


def _record(raw: str, line: int, name: str, tz: tzinfo) -> tuple[bool, CdrItem]:
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        return False, reject(name, line, "not valid JSON", raw)
    return _from_doc(doc, line, name, tz, raw)


def _from_doc(
    doc: Any, line: int, name: str, tz: tzinfo, raw: str
) -> tuple[bool, CdrItem]:
    if not isinstance(doc, dict) or not isinstance(doc.get("variables"), dict):
        return False, reject(name, line, "JSON record has no variables object", raw)
    try:
        values = _values(doc)
        record = _freeswitch.build(
            values,
            source_format=FORMAT,
            line=line,
            starts=_time(values, "start", tz, required=True) or [],
            answers=_time(values, "answer", tz, required=False),
            ends=_time(values, "end", tz, required=True) or [],
        )
    except RowError as err:
        return True, reject(name, line, err.reason, raw, err.field)
    return True, record


def _values(doc: dict[str, Any]) -> dict[str, str]:
    variables = {
        str(k): str(v)
        for k, v in doc["variables"].items()
        if isinstance(v, str | int | float) and not isinstance(v, bool)
    }
    if _url_encoded(variables):
        variables = {
            k: urllib.parse.unquote(v, errors="surrogateescape")
            for k, v in variables.items()
        }
    profile = _caller_profile(doc.get("callflow"))
    for key in _PROFILE_KEYS:
        if not variables.get(key) and isinstance(profile.get(key), str):
            variables[key] = profile[key]
    return variables


def _caller_profile(callflow: Any) -> dict[str, Any]:
    if isinstance(callflow, list):
        callflow = callflow[0] if callflow else None
    profile = callflow.get("caller_profile") if isinstance(callflow, dict) else None
    return profile if isinstance(profile, dict) else {}


def _url_encoded(variables: dict[str, str]) -> bool:
    stamp = variables.get("start_stamp")
    if stamp:
        return ":" not in stamp and "%3a" in stamp.lower()
    values = variables.values()
    return any(_PCT.search(v) for v in values) and not any(
        c in v for v in values for c in ' :"<>@'
    )


def _time(
    v: dict[str, str], what: str, tz: tzinfo, *, required: bool
) -> list[datetime] | None:
    """Instants for start/answer/end: epoch, else microsecond epoch, else stamp."""
    for key, micro in ((f"{what}_epoch", False), (f"{what}_uepoch", True)):
        value = v.get(key, "").strip()
        if value and value not in {"0", "0.0"}:
            return [epoch(value, key, micro=micro)]
        if value and not required:
            return None
    stamp = v.get(f"{what}_stamp", "").strip()
    if stamp:
        return local_stamp(stamp, f"{what}_stamp", tz)
    if required:
        raise RowError(f"{what} time is missing", f"{what}_epoch")
    return None
