"""Voicemail and call recordings of a subject, with their audio (rights.access)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement

from tutela.access import Access, held_by
from tutela.rights.export._masking import mask_number
from tutela.rights.export.sections import (
    AudioFile,
    Section,
    SubjectData,
    _chunks,
    _iso,
    _paged,
    _Subject,
)
from tutela.store.models import (
    CallRecording,
    RecordingNotice,
    Voicemail,
)

# The column of the row that owns an audio file's blob, by `AudioFile.kind`.
AUDIO_OWNERS: dict[str, Any] = {
    "voicemail": Voicemail.audio_blob_id,
    "recording": CallRecording.audio_blob_id,
}


def _voicemail_section(
    use: Access, subject: _Subject, data: SubjectData, prefix: str
) -> Section:
    found: dict[int, tuple[Voicemail, str]] = {}
    key = Voicemail.id
    people = [p.id for p in subject.people]
    # An extension reaches voice mail only inside its account and only for
    # the time the subject held it: the gate's own end-user rule (`held_by`).
    left_for = _held_extension(people, Voicemail.mailbox)
    for row in _paged(use, Voicemail, key, left_for):
        found[row.id] = (row, "left_for_you")
    for claim in subject.of("number"):
        within = claim.where(Voicemail.account_id, Voicemail.received_at)
        held = Voicemail.caller_e164 == claim.value
        for row in _paged(use, Voicemail, key, held, *within):
            found.setdefault(row.id, (row, "left_by_you"))
    left_by = _held_extension(people, Voicemail.caller_extension)
    for row in _paged(use, Voicemail, key, left_by):
        found.setdefault(row.id, (row, "left_by_you"))
    data.reach("voicemails", len(found))
    cols: tuple[str, ...] = (
        "voicemail_id",
        "relation",
        "mailbox",
        "caller",
        "received_at",
    )
    cols += ("duration_s", "folder", "audio_file")
    section = Section("voicemails", "voicemail", "Voicemail messages", cols)
    for vm_id in sorted(found):
        vm, relation = found[vm_id]
        caller = vm.caller_e164 or vm.caller_extension
        audio = _audio(data, prefix, "voicemail", vm.id, vm.audio_blob_id)
        section.rows.append(
            {
                "voicemail_id": vm.id,
                "relation": relation,
                "mailbox": vm.mailbox if relation == "left_for_you" else None,
                "caller": mask_number(caller, subject.mode)
                if relation == "left_for_you"
                and not subject.mine(
                    vm.caller_e164, vm.caller_extension, vm.account_id, vm.received_at
                )
                else caller,
                "received_at": _iso(vm.received_at),
                "duration_s": vm.duration_s,
                "folder": vm.folder,
                "audio_file": audio,
            }
        )
    return section


def _held_extension(people: list[int], extension: Any) -> ColumnElement[bool]:
    return held_by(
        people,
        kind="extension",
        value=extension,
        at=Voicemail.received_at,
        account=Voicemail.account_id,
    )


def _audio(
    data: SubjectData, prefix: str, kind: str, row_id: int, blob_id: str | None
) -> str | None:
    if blob_id is None:
        return None
    path = f"{prefix}/{kind}/{kind}-{row_id}"
    data.audio.append(AudioFile(path=path, blob_id=blob_id, media_type="", kind=kind))
    return path


def _recordings_section(
    use: Access,
    subject: _Subject,
    call_ids: list[int],
    data: SubjectData,
    prefix: str,
) -> Section:
    found: dict[int, CallRecording] = {}
    key = CallRecording.id
    for chunk in _chunks(call_ids):
        for row in _paged(
            use, CallRecording, key, CallRecording.call_record_id.in_(chunk)
        ):
            found[row.id] = row
    for claim in subject.of("number"):
        needle = json.dumps({"number": claim.value})[1:-1]  # '"number": "+1..."'
        within = claim.where(CallRecording.account_id, CallRecording.recorded_at)
        held = CallRecording.parties.contains(needle)
        for row in _paged(use, CallRecording, key, held, *within):
            found[row.id] = row
    notice_ids = sorted({r.notice_id for r in found.values()})
    notices = {
        n.id: n
        for chunk in _chunks(notice_ids)
        for n in use.select(RecordingNotice, RecordingNotice.id.in_(chunk))
    }
    data.reach("call_recordings", len(found))
    data.reach("recording_notices", len(notices))
    cols: tuple[str, ...] = (
        "recording_id",
        "call_id",
        "recorded_at",
        "duration_s",
        "parties",
    )
    cols += ("notice_method", "notice_given_at", "audio_file")
    section = Section("call_recordings", "call_recordings", "Call recordings", cols)
    for rec_id in sorted(found):
        rec = found[rec_id]
        notice = notices.get(rec.notice_id)
        parties = []
        for party in json.loads(rec.parties):
            number = party.get("number")
            mine = subject.mine(number, None, rec.account_id, rec.recorded_at)
            shown = number if mine else mask_number(number, subject.mode)
            parties.append(f"{party.get('role')}:{shown or '-'}")
        section.rows.append(
            {
                "recording_id": rec.id,
                "call_id": rec.call_record_id,
                "recorded_at": _iso(rec.recorded_at),
                "duration_s": rec.duration_s,
                "parties": "; ".join(parties),
                "notice_method": notice.method if notice else None,
                "notice_given_at": _iso(notice.given_at) if notice else None,
                "audio_file": _audio(
                    data, prefix, "recording", rec.id, rec.audio_blob_id
                ),
            }
        )
    return section


# ------------------------------------------------------------ messages
