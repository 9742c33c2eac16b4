"""The officer's look at an export before it is released.

Clauses: rights.access (the subject gets all their data), rights.access.
verification (only a verified case, fee paid if one was asked, is
previewed: the same check as the release). The preview is assembled by
the very function the release uses (`build.assemble`) and names the same
files the zip will hold, so what the officer approves is what is sent.
Nothing is stored, no link is issued, no mail is sent; the look itself is
audited (`sar.export_previewed`, counts only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tutela.access import access
from tutela.audit import record
from tutela.config import Settings
from tutela.rights.export.build import _entries, _exportable, assemble
from tutela.rights.export.sections import EXPORT_ACTOR, PURPOSE
from tutela.store import BlobStore, Store, utcnow


@dataclass(frozen=True)
class SectionPreview:
    category: str
    title: str
    columns: list[str]
    rows: int
    sample: list[dict[str, object]]


@dataclass(frozen=True)
class ExportPreview:
    case_id: int
    case_ref: str
    person_ids: list[int]
    counts: dict[str, int]
    files: list[str]
    sections: list[SectionPreview]
    audio_files: int
    redactions: int


SAMPLE_ROWS = 5


def preview_export(
    store: Store,
    case_id: int,
    *,
    settings: Settings,
    actor: str,
    now: dt.datetime | None = None,
) -> ExportPreview:
    """What `export_case` would release for `case_id` now: files, counts, first rows."""
    moment = now or utcnow()
    case, _state = _exportable(store, case_id)
    doc, data = assemble(store, case, settings=settings, ref="PREVIEW", moment=moment)
    counts = {name: int(c["count"]) for name, c in doc["categories"].items()}
    blobs = BlobStore.in_data_dir(settings.data)
    with access(store, actor=EXPORT_ACTOR, purpose=PURPOSE) as use:
        # Only the names: the audio chunks are generators and stay unread.
        files = [entry.name for entry in _entries(doc, data, blobs, use)]
    sections = [
        SectionPreview(
            category=s.category,
            title=s.title,
            columns=list(s.columns),
            rows=len(s.rows),
            sample=[dict(r) for r in s.rows[:SAMPLE_ROWS]],
        )
        for s in data.sections
    ]
    record(
        store,
        actor=actor,
        action="sar.export_previewed",
        purpose=PURPOSE,
        subjects=data.person_ids,
        details={
            "case_id": case_id,
            "files": len(files),
            "rows": sum(counts.values()),
        },
    )
    return ExportPreview(
        case_id=case_id,
        case_ref=case.ref,
        person_ids=list(data.person_ids),
        counts=counts,
        files=files,
        sections=sections,
        audio_files=len(data.audio),
        redactions=int(data.redactions),
    )
