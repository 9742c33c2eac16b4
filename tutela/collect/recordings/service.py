"""Notices and recordings as a signed-in staff member asks for them.

Clause collect.service_use.call_recordings: "Jive may record calls between
its employees and its customers or prospective customers after giving
required notice." `tutela recordings notice|add|list` parse their options
(`tutela.collect.recordings.inputs`), call these and print the result:

- `add_notice` keeps how and when notice was given (`record_notice`);
- `add_recording` stores a recording through `store_recording`, which
  refuses it without a notice that covers it; the audio goes to the
  encrypted blob store, and no file is left behind when the write fails;
- `list_recordings` is the staff listing (`tutela.access.reads`): never the
  audio, never the parties' numbers.

Every account and listing is read through the purpose gate as the signed-in
person (`deliver_services`), so each read is in the audit log under them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from tutela.access import Actor, access
from tutela.access.reads import account_by_ref, owners_by_ref, recording_listing
from tutela.collect.recordings.inputs import check_numbers
from tutela.collect.recordings.record import (
    Party,
    notice_rules,
    record_notice,
    store_recording,
)
from tutela.errors import InvalidInput, NotFound
from tutela.store import BlobStore, Store
from tutela.store.models import Account

PURPOSE: Final = "deliver_services"


@dataclass(frozen=True)
class NoticeKept:
    """A notice as stored: its id and what it covers."""

    notice_id: int
    scope: str
    call_record_id: int | None
    number: str | None


@dataclass(frozen=True)
class RecordingKept:
    """A recording as stored: its id and whether a party needs all-party consent."""

    recording_id: int
    all_party_consent: bool


def account_of(store: Store, ref: str, *, actor: Actor) -> Account:
    """The account with this ref, read through the gate; `NotFound` if none."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        found = account_by_ref(use, ref)
    if found is None:
        raise NotFound(f"account {ref} does not exist", errors=["field: account"])
    return found


def add_notice(
    store: Store,
    *,
    actor: Actor,
    account_ref: str,
    method: str,
    given_at: dt.datetime,
    covers_all_parties: bool,
    call_record_id: int | None = None,
    number: str | None = None,
    valid_until: dt.datetime | None = None,
) -> NoticeKept:
    """Record that notice was given (see `record_notice`); `InvalidInput` on
    a method the policy does not list (field ``--method``)."""
    policy = store.policy()
    methods = [str(m) for m in notice_rules(policy).methods]
    if method not in methods:
        raise InvalidInput(f"must be one of {', '.join(methods)}", field="--method")
    owner = account_of(store, account_ref, actor=actor)
    with store.session() as session:
        notice = record_notice(
            session,
            account=owner,
            method=method,
            given_at=given_at,
            covers_all_parties=covers_all_parties,
            policy=policy,
            call_record_id=call_record_id,
            number=number,
            valid_until=valid_until,
            actor=actor,
        )
        return NoticeKept(
            notice.id, notice.scope, notice.call_record_id, notice.number_e164
        )


def add_recording(
    store: Store,
    *,
    actor: Actor,
    account_ref: str,
    notice_id: int,
    parties: list[Party],
    recorded_at: dt.datetime,
    duration_s: int,
    audio: bytes,
    media_type: str,
    call_record_id: int | None = None,
) -> RecordingKept:
    """Store a recording, encrypted; `RecordingRefused` without a valid notice.

    Each party's number is read in the account's region. When the write
    fails after the audio was written (the commit), the file is destroyed.
    """
    owner = account_of(store, account_ref, actor=actor)
    check_numbers(parties, owner.region)
    blobs = BlobStore.in_data_dir(store.data_dir)
    blob_id: str | None = None
    try:
        with store.session() as session:
            recording = store_recording(
                session,
                blobs,
                account=owner,
                notice_id=notice_id,
                parties=parties,
                recorded_at=recorded_at,
                duration_s=duration_s,
                audio=audio,
                media_type=media_type,
                policy=store.policy(),
                call_record_id=call_record_id,
                actor=actor,
            )
            blob_id = recording.audio_blob_id
            kept = RecordingKept(recording.id, recording.all_party_consent)
    except BaseException:
        if blob_id is not None:  # the commit failed: leave no orphan audio
            blobs.discard(blob_id)
        raise
    return kept


def list_recordings(
    store: Store, *, actor: Actor, account_ref: str | None = None
) -> list[dict[str, Any]]:
    """Every recording (of one account, if given): see `recording_listing`."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        owner: int | None = None
        if account_ref is not None:
            found = owners_by_ref(use, [account_ref]).get(account_ref)
            if found is None:
                raise NotFound(
                    f"account {account_ref} does not exist", errors=["field: account"]
                )
            owner = found[0]
        return recording_listing(use, account_id=owner)


__all__ = [
    "NoticeKept",
    "PURPOSE",
    "RecordingKept",
    "account_of",
    "add_notice",
    "add_recording",
    "list_recordings",
]
