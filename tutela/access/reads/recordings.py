"""Reads of call-recording notices, for the check before a recording is stored.

Clauses: collect.service_use.call_recordings (a recording is refused unless
a notice record covers it: its call, or a standing notice), use.purposes
(each read is a gate read, audited with counts, never values).
`tutela.collect.recordings` reads the notice with a gate opened inside the
write that stores the recording.
"""

from __future__ import annotations

from tutela.access.gate import Access
from tutela.store.models import CallRecording, RecordingNotice


def notice_row(use: Access, notice_id: int) -> RecordingNotice | None:
    """The notice with this id, or None."""
    found = use.select(RecordingNotice, RecordingNotice.id == notice_id)
    return found[0] if found else None


def recording_ids_of(use: Access, account_id: int) -> list[int]:
    """The ids of an account's call recordings (ids only: nothing else is read)."""
    return [
        rec_id
        for (rec_id,) in use.rows(
            CallRecording.id,
            where=[CallRecording.account_id == account_id],
            order_by=[CallRecording.id],
        )
    ]


__all__ = ["notice_row", "recording_ids_of"]
