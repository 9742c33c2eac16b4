"""Call records, voicemail, recordings and their encrypted audio.

Policy: "Information from use of its services" (collect.service_use.call_records,
collect.service_use.voicemail, collect.service_use.call_recordings).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    AUDIT_TIME,
    KEY,
    LINK,
    PROVENANCE,
    STATUS,
    TENANT,
    Base,
    _created,
    _id,
    _tenant,
    personal,
    structural,
)
from tutela.store.types import Encrypted

# ------------------------------------------------------------ telephony


class CallRecord(Base):
    """One CDR row: source, destination and duration of a call (every call).

    One call can span several rows (forks, transfers, both legs): they share
    ``call_key`` (the linkedid, else the uniqueid, else the row's own key).
    ``clid_raw`` keeps the caller-id field byte for byte, even when it is not
    UTF-8; ``caller_name`` is its readable display name.
    """

    __tablename__ = "call_records"
    __table_args__ = (
        Index("ix_call_records_src", "src_e164"),
        Index("ix_call_records_dst", "dst_e164"),
        Index("ix_call_records_account_start", "account_id", "started_at"),
        Index("ix_call_records_account_call", "account_id", "call_key"),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True, info=PROVENANCE)
    source_format: Mapped[str] = mapped_column(String(24), info=PROVENANCE)
    src_raw: Mapped[str] = mapped_column(
        String(80), info=personal("call_records", "source")
    )
    src_e164: Mapped[str | None] = mapped_column(
        String(20), info=personal("call_records", "source")
    )
    src_extension: Mapped[str | None] = mapped_column(
        String(10), info=personal("call_records", "source")
    )
    dst_raw: Mapped[str] = mapped_column(
        String(80), info=personal("call_records", "destination")
    )
    dst_e164: Mapped[str | None] = mapped_column(
        String(20), info=personal("call_records", "destination")
    )
    dst_extension: Mapped[str | None] = mapped_column(
        String(10), info=personal("call_records", "destination")
    )
    caller_name: Mapped[str | None] = mapped_column(
        String(200), info=personal("call_records", "caller_name")
    )
    clid_raw: Mapped[bytes | None] = mapped_column(
        LargeBinary, info=personal("call_records", "caller_name")
    )
    started_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("call_records", "start")
    )
    answered_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=personal("call_records", "answer")
    )
    ended_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("call_records", "end")
    )
    duration_s: Mapped[int] = mapped_column(
        Integer, info=personal("call_records", "duration")
    )
    billsec_s: Mapped[int] = mapped_column(
        Integer, info=personal("call_records", "billsec")
    )
    disposition: Mapped[str] = mapped_column(
        String(16), info=personal("call_records", "disposition")
    )
    uniqueid: Mapped[str | None] = mapped_column(String(150), info=PROVENANCE)
    linkedid: Mapped[str | None] = mapped_column(String(150), info=PROVENANCE)
    sequence: Mapped[int | None] = mapped_column(Integer, info=PROVENANCE)
    call_key: Mapped[str] = mapped_column(
        String(150), info=structural("groups the rows of one call")
    )
    created_at: Mapped[dt.datetime] = _created()


class Blob(Base):
    """An encrypted audio file on disk, under its own key (wrapped by the key ring).

    Destroying the row's wrapped key and the file is crypto-shredding: the
    audio cannot be recovered from backups of the file alone.
    """

    __tablename__ = "blobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, info=KEY)
    # NULL only for the export zip of a subject who is no customer's contact
    # (a caller, a subscriber): it belongs to no tenant.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"),
        index=True,
        nullable=True,
        info=TENANT,
    )
    wrapped_key: Mapped[str | None] = mapped_column(
        Encrypted("blobs.wrapped_key"),
        info=structural("per-blob data key, sealed by the key ring"),
    )
    media_type: Mapped[str] = mapped_column(String(40), info=structural("audio format"))
    size: Mapped[int] = mapped_column(
        BigInteger, info=structural("stored size in bytes")
    )
    shredded_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    created_at: Mapped[dt.datetime] = _created()


class Voicemail(Base):
    """A voicemail message; kept until the customer deletes it (no expiry)."""

    __tablename__ = "voicemails"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True, info=PROVENANCE)
    context: Mapped[str | None] = mapped_column(
        String(80), info=personal("voicemail", "mailbox")
    )
    mailbox: Mapped[str] = mapped_column(
        String(40), index=True, info=personal("voicemail", "mailbox")
    )
    folder: Mapped[str] = mapped_column(String(20), default="INBOX", info=STATUS)
    caller_raw: Mapped[str | None] = mapped_column(
        String(200), info=personal("voicemail", "caller")
    )
    caller_e164: Mapped[str | None] = mapped_column(
        String(20), index=True, info=personal("voicemail", "caller")
    )
    caller_extension: Mapped[str | None] = mapped_column(
        String(10), info=personal("voicemail", "caller")
    )
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("voicemail", "received_at")
    )
    duration_s: Mapped[int] = mapped_column(
        Integer, info=personal("voicemail", "duration")
    )
    audio_blob_id: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.id", ondelete="SET NULL"), info=personal("voicemail", "audio")
    )
    created_at: Mapped[dt.datetime] = _created()


class RecordingNotice(Base):
    """How and when notice of recording was given, before any recording is kept."""

    __tablename__ = "recording_notices"
    __table_args__ = (
        CheckConstraint(
            "method IN ('announcement_prompt', 'verbal', 'written')",
            name="ck_recording_notices_method",
        ),
        CheckConstraint(
            "scope IN ('call', 'standing')", name="ck_recording_notices_scope"
        ),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    method: Mapped[str] = mapped_column(
        String(24), info=personal("call_recordings", "notice")
    )
    given_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("call_recordings", "notice")
    )
    covers_all_parties: Mapped[bool] = mapped_column(
        Boolean, info=personal("call_recordings", "notice")
    )
    # What the notice covers: one call ('call', call_record_id), or a standing
    # notice ('standing') for the account, or for one of its numbers, from
    # given_at until valid_until (open-ended when null).
    scope: Mapped[str] = mapped_column(
        String(12), default="standing", server_default="standing", info=STATUS
    )
    call_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_records.id", ondelete="SET NULL"), index=True, info=LINK
    )
    number_e164: Mapped[str | None] = mapped_column(
        String(20), info=personal("call_recordings", "notice")
    )
    valid_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=personal("call_recordings", "notice")
    )
    created_at: Mapped[dt.datetime] = _created()


class VoicemailTombstone(Base):
    """A voicemail the customer deleted: its key's digest, so re-ingest skips it.

    Only a SHA-256 digest of the dedupe key is kept, never the message, its
    caller or its audio.
    """

    __tablename__ = "voicemail_tombstones"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    key_digest: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        info=structural("digest of a deleted message's key; re-ingest skips it"),
    )
    deleted_at: Mapped[dt.datetime] = _created()


class CallRecording(Base):
    """A recorded call; the non-null ``notice_id`` makes notice a schema rule."""

    __tablename__ = "call_recordings"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("recording_notices.id", ondelete="RESTRICT"),
        nullable=False,
        info=LINK,
    )
    call_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_records.id", ondelete="SET NULL"), index=True, info=LINK
    )
    parties: Mapped[str] = mapped_column(
        Text, info=personal("call_recordings", "parties")
    )
    recorded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("call_recordings", "recorded_at")
    )
    duration_s: Mapped[int] = mapped_column(
        Integer, info=personal("call_recordings", "duration")
    )
    audio_blob_id: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.id", ondelete="SET NULL"),
        info=personal("call_recordings", "audio"),
    )
    all_party_consent: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        info=structural("flag: a party is in an all-party-consent jurisdiction"),
    )
    created_at: Mapped[dt.datetime] = _created()


class IngestRun(Base):
    """One ingest of one file or spool: its counts and its quarantine file.

    Bookkeeping for operators; holds no personal data (counts, a path, the
    process that ran it). A run is written as ``running`` when it starts and
    gets its final status (``done``, ``refused``, ``failed``) when it ends; a
    run whose process died without ending it is marked ``interrupted`` by
    the next run (`tutela.collect.quarantine.settle_interrupted`).
    """

    __tablename__ = "ingest_runs"

    id: Mapped[int] = _id()
    kind: Mapped[str] = mapped_column(String(16), info=PROVENANCE)
    source_name: Mapped[str] = mapped_column(String(500), info=PROVENANCE)
    source_format: Mapped[str | None] = mapped_column(String(24), info=PROVENANCE)
    status: Mapped[str] = mapped_column(String(16), info=STATUS)
    read: Mapped[int] = mapped_column(BigInteger, default=0, info=STATUS)
    stored: Mapped[int] = mapped_column(BigInteger, default=0, info=STATUS)
    duplicate: Mapped[int] = mapped_column(BigInteger, default=0, info=STATUS)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0, info=STATUS)
    quarantine_path: Mapped[str | None] = mapped_column(String(500), info=PROVENANCE)
    started_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    finished_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    # The process that ran it, to tell a running run from one that died.
    host: Mapped[str | None] = mapped_column(String(255), info=PROVENANCE)
    pid: Mapped[int | None] = mapped_column(Integer, info=STATUS)
