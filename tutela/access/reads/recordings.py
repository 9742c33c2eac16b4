"""Reads of call recordings and their notices.

Clauses: collect.service_use.call_recordings (a recording is refused unless
a notice record covers it: its call, or a standing notice; staff list what
is kept, never the audio or the parties' numbers), use.purposes (each read
is a gate read, audited with counts, never values).
`tutela.collect.recordings` reads the notice with a gate opened inside the
write that stores the recording.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tutela.access.gate import Access
from tutela.store import utc_aware
from tutela.store.models import Account, CallRecording, RecordingNotice


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


def recording_listing(
    use: Access, *, account_id: int | None = None
) -> list[dict[str, Any]]:
    """What `tutela recordings list` shows, oldest first (of one account, if given).

    Id, account ref, time, length, notice method and the all-party flag:
    only those columns are selected, so the audio and the parties' numbers
    are never read and the grant names exactly what was used.
    """
    where = [
        CallRecording.account_id == Account.id,
        CallRecording.notice_id == RecordingNotice.id,
    ]
    if account_id is not None:
        where.append(CallRecording.account_id == account_id)
    rows = use.rows(
        CallRecording.id,
        Account.ref,
        CallRecording.recorded_at,
        CallRecording.duration_s,
        RecordingNotice.method,
        CallRecording.all_party_consent,
        where=where,
        order_by=[CallRecording.recorded_at, CallRecording.id],
    )
    return [
        {
            "id": id_,
            "account": ref,
            "recorded_at": utc_aware(recorded_at).astimezone(dt.UTC).isoformat(),
            "duration_s": duration_s,
            "notice_method": method,
            "all_party_consent": bool(all_party),
        }
        for id_, ref, recorded_at, duration_s, method, all_party in rows
    ]


__all__ = ["notice_row", "recording_ids_of", "recording_listing"]
