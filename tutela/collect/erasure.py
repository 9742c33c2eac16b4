"""Erasing personal data for good: rows deleted, free text redacted, audio shredded.

Policy: "Kept while the business is a customer, then as the law requires"
(the `while_customer` retention of collect.requested, collect.volunteered,
collect.service_use.call_records and collect.service_use.call_recordings),
collect.service_use.voicemail (a deleted message's audio is crypto-shredded)
and the right to erasure that answers a rights request (GDPR Art. 17, CCPA
deletion; `tutela.rights.erasure` decides what goes, this module does it).

Two callers, one set of primitives, each inside the caller's transaction:

- a subject's erasure (`erase_subject`): their people rows go (with their
  holdings and portal sign-ins); their side of every call is blanked (the
  call stays the other party's and the account's billing record, with no
  number, extension or caller name of theirs); voicemail they left or that
  was left for them and recordings they took part in are deleted with their
  audio shredded (a tombstone keeps re-ingest from bringing a message
  back); their own messages are deleted; their name, numbers and addresses
  inside other people's messages are replaced by `ERASED` and the mention
  index of those messages rebuilt; a porting or billing field that holds
  their name or address is blanked;
- an account closing (`tutela.collect.former_customers`): every row of one
  category of one account goes, with the same voicemail and recording
  primitives.

On SQLite, freed pages are zeroed (`secure_delete`), so a deleted value does
not linger in the database file. Nothing here logs a value: ids and counts.

Reads: what to erase was chosen, and audited, through the gate by the
export's gatherer before the erasing write opens; the rows this module must
look at again to change them (the people, the messages to redact, their
accounts' people and the billing fields to blank) are read through the gate
inside the erasing write (`tutela.collect._gate`), as the `subject_rights`
job for `subject_access`, audited with the write. Voicemail and recordings
are deleted by id with ``DELETE ... RETURNING`` of what their tombstone and
the shredding need: a write, not a read first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from tutela.access import SUBJECT_ACCESS, Access, Actor
from tutela.access.reads import (
    account,
    accounts_of_people,
    communication_rows,
    owners_by_value,
    payment_methods_of,
    people_rows,
    porting_requests_of,
)
from tutela.collect._gate import reading
from tutela.collect.communications.mentions import (
    detect,
    index_communication,
    known_people,
)
from tutela.collect.voicemail.ingest import key_digest
from tutela.store import BlobStore
from tutela.store.models import (
    CallRecord,
    CallRecording,
    Communication,
    CommunicationMention,
    Extension,
    PaymentMethod,
    Person,
    PhoneNumber,
    PortingRequest,
    Voicemail,
    VoicemailTombstone,
)

log = logging.getLogger(__name__)

SUBJECT_RIGHTS = Actor.system("subject_rights")

ERASED = "[erased]"
# Free-text values shorter than this are not replaced literally (a "1" or an
# "Al" would hit unrelated text); detections still find them.
_MIN_LITERAL = 4


@dataclass
class Erased:
    """What one erasure did, per store table: rows deleted, rows blanked, audio shredded."""

    deleted: dict[str, int] = field(default_factory=dict)
    blanked: dict[str, int] = field(default_factory=dict)
    shredded: int = 0

    def count(self, table: str, rows: int, *, blanked: bool = False) -> None:
        into = self.blanked if blanked else self.deleted
        into[table] = into.get(table, 0) + rows

    def as_dict(self) -> dict[str, object]:
        return {
            "deleted": self.deleted,
            "blanked": self.blanked,
            "audio_shredded": self.shredded,
        }


@dataclass(frozen=True)
class SubjectRows:
    """The rows of one subject, as the access export finds them (ids only)."""

    person_ids: list[int]
    # call id -> (the source side is theirs, the destination side is theirs)
    call_sides: dict[int, tuple[bool, bool]]
    voicemail_ids: list[int]
    recording_ids: list[int]
    own_communication_ids: list[int]
    mentioning_communication_ids: list[int]
    # their names, numbers and addresses, to take out of free text
    values: frozenset[str]


def secure_delete(session: Session) -> None:
    """On SQLite, zero the pages this transaction frees."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")


def erase_subject(session: Session, blobs: BlobStore, rows: SubjectRows) -> Erased:
    """Erase one subject (see the module docstring); the caller commits."""
    secure_delete(session)
    out = Erased()
    _blank_calls(session, rows.call_sides, out)
    delete_voicemails(session, blobs, rows.voicemail_ids, out)
    delete_recordings(session, blobs, rows.recording_ids, out)
    own = set(rows.own_communication_ids)
    _delete_ids(session, Communication, sorted(own), out)
    mentioning = [i for i in rows.mentioning_communication_ids if i not in own]
    with reading(session, actor=SUBJECT_RIGHTS, purpose=SUBJECT_ACCESS) as use:
        texts = _redact_messages(
            session, use, mentioning, rows.person_ids, rows.values, out
        )
        _blank_account_records(use, rows.person_ids, rows.values, out)
        for person in people_rows(use, rows.person_ids):
            session.execute(
                update(PhoneNumber)
                .where(PhoneNumber.assignee_id == person.id)
                .values(assignee_id=None)
            )
            session.execute(
                update(Extension)
                .where(Extension.person_id == person.id)
                .values(person_id=None)
            )
            session.delete(person)
            out.count(Person.__tablename__, 1)
        session.flush()
        _reindex(session, use, texts)
    log.info(
        "erasure.subject people=%d shredded=%d", len(rows.person_ids), out.shredded
    )
    return out


def _blank_calls(
    session: Session, sides: dict[int, tuple[bool, bool]], out: Erased
) -> None:
    src = {"src_raw": ERASED, "src_e164": None, "src_extension": None}
    src |= {"caller_name": None, "clid_raw": None}
    dst = {"dst_raw": ERASED, "dst_e164": None, "dst_extension": None}
    for call_id, (source, destination) in sorted(sides.items()):
        values = (src if source else {}) | (dst if destination else {})
        if values:
            session.execute(
                update(CallRecord).where(CallRecord.id == call_id).values(**values)
            )
            out.count(CallRecord.__tablename__, 1, blanked=True)


def delete_voicemails(
    session: Session, blobs: BlobStore, ids: Iterable[int], out: Erased
) -> None:
    """Delete voicemail for good: audio shredded, a tombstone against re-ingest.

    Deleted by id, handing back only what the tombstone and the shredding
    need (a write: nothing is read first).
    """
    wanted = sorted(ids)
    if not wanted:
        return
    gone = session.execute(
        delete(Voicemail)
        .where(Voicemail.id.in_(wanted))
        .returning(Voicemail.account_id, Voicemail.dedupe_key, Voicemail.audio_blob_id)
    ).all()
    for account_id, dedupe_key, _ in gone:
        session.add(
            VoicemailTombstone(account_id=account_id, key_digest=key_digest(dedupe_key))
        )
    session.flush()
    _shred(session, blobs, [blob_id for *_, blob_id in gone], out)
    out.count(Voicemail.__tablename__, len(gone))


def delete_recordings(
    session: Session, blobs: BlobStore, ids: Iterable[int], out: Erased
) -> None:
    """Delete call recordings with their audio shredded (by id, as voicemail)."""
    wanted = sorted(ids)
    if not wanted:
        return
    gone = session.execute(
        delete(CallRecording)
        .where(CallRecording.id.in_(wanted))
        .returning(CallRecording.audio_blob_id)
    ).all()
    session.flush()
    _shred(session, blobs, [blob_id for (blob_id,) in gone], out)
    out.count(CallRecording.__tablename__, len(gone))


def _shred(
    session: Session, blobs: BlobStore, blob_ids: list[str | None], out: Erased
) -> None:
    for blob_id in blob_ids:
        if blob_id is not None:
            blobs.shred(session, blob_id)
            out.shredded += 1


def _delete_ids(session: Session, model: type, ids: list[int], out: Erased) -> None:
    if not ids:
        return
    table = model.__table__  # type: ignore[attr-defined]
    result = session.execute(delete(table).where(table.c.id.in_(ids)))
    out.count(table.name, max(int(getattr(result, "rowcount", 0) or 0), 0))


def _literal(values: Collection[str]) -> re.Pattern[str] | None:
    usable = sorted(
        (v for v in values if len(v) >= _MIN_LITERAL), key=len, reverse=True
    )
    if not usable:
        return None
    return re.compile("|".join(re.escape(v) for v in usable), re.IGNORECASE)


def erase_values(
    text: str, spans: Iterable[tuple[int, int]], pattern: re.Pattern[str] | None
) -> str:
    """`text` with the spans, then any literal value left, replaced by `ERASED`."""
    for start, end in sorted(set(spans), reverse=True):
        text = text[:start] + ERASED + text[end:]
    return pattern.sub(ERASED, text) if pattern is not None else text


def _redact_messages(
    session: Session,
    use: Access,
    ids: list[int],
    person_ids: list[int],
    values: Collection[str],
    out: Erased,
) -> list[int]:
    """Take the subject out of other people's messages; their mentions go too."""
    pattern = _literal(values)
    theirs = set(person_ids)
    wanted = {v.lower() for v in values}
    for message in communication_rows(use, ids):
        owner = account(use, message.account_id)
        people = known_people(use, owner)

        def erased(text: str) -> str:
            found = detect(
                lambda kind, found_values: owners_by_value(use, kind, found_values),
                owner.region,  # noqa: B023
                text,
                people,  # noqa: B023
            )
            spans = [
                (d.start, d.end)
                for d in found
                if (d.person_id is not None and int(d.person_id) in theirs)
                or d.value.lower() in wanted
            ]
            return erase_values(text, spans, pattern)

        message.body = erased(message.body)
        if message.subject is not None:
            message.subject = erased(message.subject)
        out.count(Communication.__tablename__, 1, blanked=True)
    if ids:
        result = session.execute(
            delete(CommunicationMention).where(
                CommunicationMention.communication_id.in_(ids)
            )
        )
        out.count(CommunicationMention.__tablename__, int(result.rowcount or 0))  # type: ignore[attr-defined]
    return ids


def _reindex(session: Session, use: Access, ids: list[int]) -> None:
    """Rebuild the mention index of redacted messages (offsets moved)."""
    for message in communication_rows(use, ids):
        owner = account(use, message.account_id)
        index_communication(session, message, account=owner, use=use)


def _blank_account_records(
    use: Access, person_ids: list[int], values: Collection[str], out: Erased
) -> None:
    """A porting or billing field of the subject's accounts that holds their data."""
    accounts = accounts_of_people(use, person_ids)
    pattern = _literal(values)
    if pattern is None or not accounts:
        return
    found: list[tuple[str, list[Any], tuple[str, ...]]] = [
        (
            PortingRequest.__tablename__,
            list(porting_requests_of(use, accounts)),
            ("authorized_name", "service_address"),
        ),
        (
            PaymentMethod.__tablename__,
            list(payment_methods_of(use, accounts)),
            ("billing_street",),
        ),
    ]
    for table, rows, names in found:
        for row in rows:
            changed = False
            for name in names:
                value = getattr(row, name)
                if value and pattern.search(value):
                    setattr(row, name, ERASED)
                    changed = True
            if changed:
                out.count(table, 1, blanked=True)


__all__ = [
    "ERASED",
    "Erased",
    "SubjectRows",
    "delete_recordings",
    "delete_voicemails",
    "erase_subject",
    "erase_values",
    "secure_delete",
]
