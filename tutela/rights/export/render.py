"""Render an export: `data.json` (versioned schema), one CSV per category, `report.html`.

Clauses: rights.access (the subject receives their data in a machine-readable
form and a report a non-engineer can read), scope.web_unlinked (the report
explains why website and ad data are absent), disclose.jurisdictions (the
report lists recipients and marks third countries). The schema is documented
in docs/export.md; bump `SCHEMA_VERSION` (major for a removed or renamed key,
minor for an added one) whenever `document` changes shape.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from tutela.rights.export.sections import AudioFile, Section, SubjectData

SCHEMA = "tutela.sar-export"
SCHEMA_VERSION = "1.1"
_FORMULA_START = ("=", "@", "\t", "\r")

_env = Environment(
    loader=PackageLoader("tutela.rights", "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class ExportMeta:
    """Facts about the request that the export states (no personal values)."""

    export_ref: str
    case_ref: str
    received_at: dt.datetime
    verified_by: str | None
    generated_at: dt.datetime
    counterpart_numbers: str
    policy_id: str


def csv_name(section: Section) -> str:
    return f"csv/{section.name}.csv"


def document(
    data: SubjectData,
    meta: ExportMeta,
    *,
    disclosures: Section,
    context: dict[str, Any],
    web: dict[str, Any],
) -> dict[str, Any]:
    """The `data.json` document (see docs/export.md for the schema)."""
    sections = [*data.sections, disclosures]
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "export_ref": meta.export_ref,
        "generated_at": meta.generated_at.isoformat(),
        "request": {
            "case_ref": meta.case_ref,
            "received_at": meta.received_at.isoformat(),
            "verified_by": meta.verified_by,
        },
        "policy": meta.policy_id,
        "subject": {"person_ids": data.person_ids},
        "categories": {
            s.name: {
                "category": s.category,
                "title": s.title,
                "csv": csv_name(s),
                "columns": list(s.columns),
                "count": len(s.rows),
                "rows": s.rows,
            }
            for s in sections
        },
        "audio": [_audio_entry(a) for a in data.audio],
        "protection_of_others": {
            "counterpart_numbers": meta.counterpart_numbers,
            "items_redacted": data.redactions,
            "secrets_removed": data.secrets_removed,
            "never_included": [
                "porting account numbers and PINs",
                "passwords and SIP credentials",
                "full card numbers and security codes (never stored)",
                "the payment processor's card token",
            ],
        },
        "context": context,
        "web_activity_and_ad_clicks": web,
    }


def _audio_entry(audio: AudioFile) -> dict[str, str]:
    return {"file": audio.path, "media_type": audio.media_type}


def data_json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False).encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Spreadsheets run cells that start like a formula; phone numbers (+1...)
    # and negative numbers stay as they are.
    if text.startswith(_FORMULA_START) or (
        text[:1] in "+-" and not text[1:2].isdigit()
    ):
        return "'" + text
    return text


def csv_bytes(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    """One category as CSV (UTF-8 with BOM so spreadsheets read accents right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return ("\ufeff" + out.getvalue()).encode()


def report_html(doc: dict[str, Any]) -> str:
    """The human-readable report (a Jinja2 template, autoescaped)."""
    return _env.get_template("export_report.html").render(doc=doc)
