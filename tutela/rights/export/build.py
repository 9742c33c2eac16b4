"""Build a verified case's export, fulfil the case, send the link; serve the download.

Clauses: rights.access (the export), rights.access.request (it answers the
request of the case), rights.access.verification (only a verified case is
exported, and the link goes only to its verified channel, `reply_channel`),
rights.access.fee_or_reject (a case awaiting its fee is not exported until
paid), scope.web_unlinked, disclose.jurisdictions (see `context`).

    result = export_case(store, case_id, settings=settings, actor="staff:7")
    download = open_download(store, token, blobs=blobs)   # once

Every build, download, refusal and expiry is appended to the audit log
(`tutela.audit.record`) with surrogate ids and counts only. An access
request never deletes customer data; the zip itself is shredded once it has
been downloaded or its link expired.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tutela.access import Access, access
from tutela.audit import record
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, NotFound
from tutela.mail.outbox import enqueue
from tutela.rights.cases import State, aware, changing, person_ids_of
from tutela.rights.decisions import fulfil_in, reply_channel
from tutela.rights.export import bundle, links
from tutela.rights.export.collect import collect_subject
from tutela.rights.export.context import (
    disclosures_section,
    processing_context,
    web_explanation,
)
from tutela.rights.export.render import (
    ExportMeta,
    csv_bytes,
    csv_name,
    data_json,
    document,
    report_html,
)
from tutela.rights.export.sections import (
    EXPORT_ACTOR,
    PURPOSE,
    AudioFile,
    SubjectData,
)
from tutela.rights.export.subject import case_subject
from tutela.store import MAX_BLOB_BYTES, BlobStore, Store, token_digest, utcnow
from tutela.store.models import DownloadToken, ExportBundle, SarCase

log = logging.getLogger(__name__)

EXPORT_JOB = "system:sar_export"
_REF_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no digits: refs never look like numbers


@dataclass(frozen=True)
class ExportResult:
    """What `export_case` built and sent (counts only; the link only on request)."""

    case_id: int
    export_ref: str
    size: int
    sha256: str
    counts: dict[str, int]
    audio_files: int
    sent_to: int
    expires_at: dt.datetime
    link: str

    def as_dict(self, *, show_link: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "case_id": self.case_id,
            "export_ref": self.export_ref,
            "size": self.size,
            "sha256": self.sha256,
            "counts": self.counts,
            "audio_files": self.audio_files,
            "sent_to": self.sent_to,
            "expires_at": self.expires_at.isoformat(),
        }
        if show_link:
            out["link"] = self.link
        return out


@dataclass(frozen=True)
class Download:
    """An export handed out once: its file name and bytes."""

    case_id: int
    export_ref: str
    filename: str
    data: bytes
    sha256: str


def _new_ref() -> str:
    return "EXP-" + "".join(secrets.choice(_REF_LETTERS) for _ in range(10))


def _exportable(store: Store, case_id: int) -> tuple[SarCase, State]:
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        session.expunge(case)
    state = State(case.state)
    paid = state is State.fee_requested and case.fee_paid_at is not None
    if state not in (State.verified, State.fulfilled) and not paid:
        raise Conflict(
            f"case {case_id} is {state}; only a verified case (fee paid, if one was "
            "asked) can be exported"
        )
    if case_subject(case).empty:
        raise Conflict(
            f"case {case_id} matched no one on file; answer that no data is held"
        )
    return case, state


def _fix_audio(store: Store, data: SubjectData) -> None:
    """Give audio files their suffix; drop those whose blob was shredded."""
    with store.session() as session:
        types = bundle.audio_types(session, [a.blob_id for a in data.audio])
    renamed: dict[str, str | None] = {}
    kept: list[AudioFile] = []
    for audio in data.audio:
        media_type = types.get(audio.blob_id)
        if media_type is None:
            renamed[audio.path] = None
            continue
        path = audio.path + bundle.suffix_for(media_type)
        renamed[audio.path] = path
        kept.append(
            AudioFile(
                path=path, blob_id=audio.blob_id, media_type=media_type, kind=audio.kind
            )
        )
    data.audio = kept
    for section in data.sections:
        for row in section.rows:
            if row.get("audio_file") in renamed:
                row["audio_file"] = renamed[row["audio_file"]]


def assemble(
    store: Store,
    case: SarCase,
    *,
    settings: Settings,
    ref: str,
    moment: dt.datetime,
) -> tuple[dict[str, Any], SubjectData]:
    """The document (data.json) of `case`'s export and the data behind it.

    Shared by `export_case` and the officer's preview (`preview`), so that
    the preview shows exactly what a release contains.
    """
    policy = store.policy()
    subject = case_subject(case)
    data = collect_subject(
        store,
        subject.person_ids,
        policy=policy,
        proven_emails=subject.proven_emails,
        extra_claims=subject.claims,
        case_id=case.id,
    )
    disclosures = disclosures_section(store, data.person_ids)
    _fix_audio(store, data)
    held: dict[str, int] = {}
    for section in data.sections:
        held[section.category] = held.get(section.category, 0) + len(section.rows)
    meta = ExportMeta(
        export_ref=ref,
        case_ref=case.ref,
        received_at=aware(case.received_at) or moment,
        verified_by=case.verification_method,
        generated_at=moment,
        counterpart_numbers=policy.meaning.access_request.counterpart_numbers,
        policy_id=policy.id,
    )
    doc = document(
        data,
        meta,
        disclosures=disclosures,
        context=processing_context(policy, held),
        web=web_explanation(policy),
    )
    return doc, data


def export_case(
    store: Store,
    case_id: int,
    *,
    settings: Settings,
    actor: str = EXPORT_JOB,
    base_url: str | None = None,
    ttl: dt.timedelta = links.DEFAULT_TTL,
    require_email: bool = False,
    max_bytes: int = MAX_BLOB_BYTES,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Build the export of a verified case, fulfil the case and send the link.

    A fulfilled case may be exported again (a lost or expired link): the
    new export gets a new link and the case records `export_rebuilt`. The
    link is under `Settings.public_url` unless `base_url` says otherwise.
    """
    moment = now or utcnow()
    case, state = _exportable(store, case_id)
    blobs = BlobStore.in_data_dir(settings.data)
    purge_expired(store, blobs=blobs, now=moment)
    to = reply_channel(store, case_id)
    if require_email and len(to) != 1:
        raise Conflict(
            f"case {case_id} has {len(to)} verified addresses; a second factor "
            "needs exactly one"
        )
    ref = _new_ref()
    doc, data = assemble(store, case, settings=settings, ref=ref, moment=moment)
    counts = {name: int(c["count"]) for name, c in doc["categories"].items()}
    with access(store, actor=EXPORT_ACTOR, purpose=PURPOSE) as use:
        written = bundle.write_zip(_entries(doc, data, blobs, use), max_bytes=max_bytes)
    # A subject who is nobody's contact (a caller, a subscriber): no tenant.
    account_id = data.account_ids[0] if data.account_ids else None
    expires = moment + ttl
    with store.session() as session:
        blob = blobs.put(
            session,
            account_id=account_id,
            data=written.data,
            media_type="application/zip",
        )
        try:
            row = ExportBundle(
                ref=ref,
                case_id=case_id,
                blob_id=blob.id,
                schema_version=str(doc["schema_version"]),
                size=written.size,
                sha256=written.sha256,
                counts=json.dumps(counts, sort_keys=True),
                status="ready",
                built_by=actor,
                expires_at=expires,
            )
            session.add(row)
            session.flush()
            token = links.issue(
                session,
                case_id=case_id,
                export_id=row.id,
                ttl=ttl,
                second_factor=to[0] if require_email else None,
                now=moment,
            )
        except BaseException:
            blobs.discard(blob.id)
            raise
    export_id = row.id
    path = f"/rights/download/{token}"
    link = (
        settings.public_link(path) if base_url is None else base_url.rstrip("/") + path
    )
    # The case is fulfilled in the transaction that queues the link's mail:
    # a run killed in between can never leave a fulfilled case whose link
    # nobody was sent.
    try:
        with changing(store, case_id) as change:
            if state is State.fulfilled:
                change.case.export_ref = ref
                change.note("export_rebuilt", actor=actor, details={"export": ref})
            else:
                fulfil_in(change, export_ref=ref, actor=actor)
            for address in to:
                enqueue(
                    change.session,
                    kind="sar_export",
                    to=address,
                    subject=f"Your personal information ({case.ref})",
                    body=_message(case.ref, link, expires, require_email),
                    sender=settings.mail_from,
                    case_id=case_id,
                )
    except BaseException:
        _retire(store, blobs, export_id, status="expired", now=moment)
        raise
    record(
        store,
        actor=actor,
        action="sar.export_built",
        purpose=PURPOSE,
        subjects=data.person_ids,
        details={
            "case_id": case_id,
            "export": ref,
            "files": len(written.entries),
            "audio": len(data.audio),
            "rows": sum(counts.values()),
            "bytes": written.size,
            "sent_to": len(to),
            "redacted": data.redactions,
            "secrets_removed": data.secrets_removed,
        },
    )
    log.info(
        "sar.export_built case_id=%d files=%d bytes=%d sent_to=%d",
        case_id,
        len(written.entries),
        written.size,
        len(to),
    )
    return ExportResult(
        case_id=case_id,
        export_ref=ref,
        size=written.size,
        sha256=written.sha256,
        counts=counts,
        audio_files=len(data.audio),
        sent_to=len(to),
        expires_at=expires,
        link=link,
    )


def _entries(
    doc: dict[str, object], data: SubjectData, blobs: BlobStore, use: Access
) -> Iterator[bundle.Entry]:
    yield bundle.Entry("report.html", [report_html(doc).encode()])
    yield bundle.Entry("data.json", [data_json(doc)])
    categories = doc["categories"]
    assert isinstance(categories, dict)
    for section in [*data.sections]:
        yield bundle.Entry(
            csv_name(section), [csv_bytes(list(section.columns), section.rows)]
        )
    disclosures = categories["disclosures"]
    yield bundle.Entry(
        "csv/disclosures.csv", [csv_bytes(disclosures["columns"], disclosures["rows"])]
    )
    for audio in data.audio:
        yield bundle.Entry(audio.path, bundle.blob_chunks(use, blobs, audio))


def _message(case_ref: str, link: str, expires: dt.datetime, factor: bool) -> str:
    extra = (
        "\nThe page will ask for this e-mail address before the download starts.\n"
        if factor
        else ""
    )
    return (
        f"Your request {case_ref} has been answered.\n\n"
        "Open this link and press the Download button to get the personal "
        "information we hold about you (the download works once, until "
        f"{expires:%Y-%m-%d %H:%M} UTC):\n\n{link}\n{extra}\n"
        "The download is a zip file with a readable report (report.html), the "
        "same data as data.json and spreadsheets (csv/), and any voicemail or "
        "call recordings.\n\nIf you did not ask for this, tell us at once by "
        "replying to this message.\n"
    )


def open_download(
    store: Store,
    token: str,
    *,
    blobs: BlobStore,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> Download:
    """Spend a link and hand out its export once; the zip is then shredded."""
    moment = now or utcnow()
    try:
        spent = links.redeem(store, token, address=address, now=moment)
    except (links.LinkUnusable, Forbidden) as refused:
        _refused(store, token, type(refused).__name__)
        raise
    # The write lock first: on SQLite a read-then-write step that races the
    # refusals of concurrent clicks would fail with "database is locked".
    with store.writing() as session:
        row = session.get(ExportBundle, spent.export_id)
        if row is None or row.blob_id is None or row.status != "ready":
            problem = links.LinkUnusable("this export is no longer available")
        else:
            problem = None
            with access(
                store, actor=EXPORT_ACTOR, purpose=PURPOSE, within=session
            ) as use:
                data = use.blob(
                    ExportBundle.blob_id, ExportBundle.id == row.id, blobs=blobs
                ).data
            blobs.shred(session, row.blob_id)
            row.status = "downloaded"
            row.shredded_at = moment
            ref, sha = row.ref, row.sha256
    if problem is not None:
        raise problem
    if bundle.sha256_of(data) != sha:
        raise Conflict(f"export {ref} does not match its checksum; build it again")
    subjects = _case_subjects(store, spent.case_id)
    record(
        store,
        actor=EXPORT_JOB,
        action="sar.export_downloaded",
        purpose=PURPOSE,
        subjects=subjects,
        details={"case_id": spent.case_id, "export": ref, "bytes": len(data)},
    )
    return Download(
        case_id=spent.case_id,
        export_ref=ref,
        filename=f"{ref}.zip",
        data=data,
        sha256=sha,
    )


def _case_subjects(store: Store, case_id: int) -> list[int]:
    with store.session() as session:
        case = session.get(SarCase, case_id)
        return person_ids_of(case) if case is not None else []


def _refused(store: Store, token: str, why: str) -> None:
    with store.session() as session:
        found = session.execute(
            select(DownloadToken.case_id).where(
                DownloadToken.token_hash == token_digest(token)
            )
        ).first()
    if found is None:
        return
    record(
        store,
        actor=EXPORT_JOB,
        action="sar.export_download_refused",
        purpose=PURPOSE,
        subjects=_case_subjects(store, int(found[0])),
        details={"case_id": int(found[0]), "reason": why},
    )


def _retire(
    store: Store, blobs: BlobStore, export_id: int, *, status: str, now: dt.datetime
) -> None:
    with store.session() as session:
        row = session.get(ExportBundle, export_id)
        if row is None:
            return
        if row.blob_id is not None:
            blob = row.blob_id
            try:
                blobs.shred(session, blob)
            except NotFound:
                pass
        row.status = status
        row.shredded_at = now


def purge_expired(
    store: Store, *, blobs: BlobStore, now: dt.datetime | None = None
) -> int:
    """Shred the zips of exports whose link expired unused; returns how many."""
    moment = now or utcnow()
    with store.session() as session:
        due = [
            (row.id, row.case_id, row.ref)
            for row in session.scalars(
                select(ExportBundle).where(
                    ExportBundle.status == "ready", ExportBundle.expires_at <= moment
                )
            )
        ]
    for export_id, case_id, ref in due:
        _retire(store, blobs, export_id, status="expired", now=moment)
        record(
            store,
            actor=EXPORT_JOB,
            action="sar.export_expired",
            purpose=PURPOSE,
            subjects=_case_subjects(store, case_id),
            details={"case_id": case_id, "export": ref},
        )
    return len(due)
