"""Gather everything held about a verified subject, through the purpose gate.

Clauses: rights.access ("A subject of personal information can access the
personal information"), scope.web_unlinked (website and ad data are about no
one, so they are explained, never looked up), disclose.jurisdictions (the
ledger's recipients and their countries go into the export).

Every read goes through `tutela.use.access` as `system:sar_export` with the
purpose `subject_access`, so the gate audits each one. The subject is found
by person id (the case's matched people), account, e-mail and every number
they hold: calls placed and received (by E.164 number, and by extension
inside their account), voicemail left for them and by them, recordings they
took part in, their own messages and every message that mentions them.

Other people are kept out: a counterpart's number is masked as the policy
says, other people's names and data in messages are redacted
(`tutela.collect.mentions.redacted_for`), another person's caller name is
dropped. Secrets are never selected at all: porting account numbers and
PINs and the payment processor's token are not read, so never decrypted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_

from tutela.collect.mentions import mentions_of, redacted_for
from tutela.policy.model import Policy
from tutela.rights.export._masking import CounterpartMode, mask_number, scrub_secrets
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    CallRecord,
    CallRecording,
    Communication,
    Extension,
    PaymentMethod,
    Person,
    PhoneNumber,
    PortingNumber,
    PortingRequest,
    RecordingNotice,
    Voicemail,
)
from tutela.use import Access, Actor, access

EXPORT_ACTOR = Actor.system("sar_export")
PURPOSE = "subject_access"
PAGE = 5000
_IN_CHUNK = 500
_ACCOUNT_ROLES = frozenset({"contact", "admin"})
M = TypeVar("M")


@dataclass
class Section:
    """One category file of the export: rows of plain values, in a fixed column order."""

    name: str
    category: str
    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class AudioFile:
    """An audio file the zip carries: where it goes and which blob holds it."""

    path: str
    blob_id: str
    media_type: str


@dataclass
class SubjectData:
    """What the export holds about one subject, before it is rendered."""

    person_ids: list[int]
    account_ids: list[int]
    sections: list[Section]
    audio: list[AudioFile]
    redactions: int = 0
    secrets_removed: int = 0

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)


@dataclass
class _Subject:
    people: list[Person]
    numbers: set[str]
    extensions: dict[int, set[str]]
    mode: CounterpartMode

    def mine(self, e164: str | None, extension: str | None, account_id: int) -> bool:
        if e164 is not None and e164 in self.numbers:
            return True
        return extension is not None and extension in self.extensions.get(
            account_id, set()
        )


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    items = sorted(set(values))
    return [items[i : i + _IN_CHUNK] for i in range(0, len(items), _IN_CHUNK)]


def _paged(
    use: Access, model: type[M], key: Any, *where: ColumnElement[bool]
) -> list[M]:
    """All rows matching `where`, read in pages by primary key (bounded queries)."""
    out: list[M] = []
    last: Any = None
    while True:
        bound = () if last is None else (key > last,)
        batch = use.select(model, *where, *bound, order_by=[key], limit=PAGE)
        out += batch
        if len(batch) < PAGE:
            return out
        last = getattr(batch[-1], key.key)


def collect_subject(
    store: Store,
    person_ids: Sequence[int],
    *,
    policy: Policy,
    audio_prefix: str = "audio",
) -> SubjectData:
    """Read everything held about the people `person_ids` (one subject), masked."""
    mode: CounterpartMode = policy.meaning.access_request.counterpart_numbers
    with access(store, actor=EXPORT_ACTOR, purpose=PURPOSE, policy=policy) as use:
        people = use.select(
            Person, Person.id.in_(list(person_ids)), order_by=[Person.id]
        )
        ids = [p.id for p in people]
        account_ids = sorted({p.account_id for p in people})
        accounts = use.select(
            Account, Account.id.in_(account_ids), order_by=[Account.id]
        )
        refs = {a.id: a.ref for a in accounts}
        numbers = use.select(
            PhoneNumber, PhoneNumber.assignee_id.in_(ids), order_by=[PhoneNumber.id]
        )
        extensions = use.select(
            Extension, Extension.person_id.in_(ids), order_by=[Extension.id]
        )
        subject = _Subject(
            people=people,
            numbers={n.e164 for n in numbers} | {p.phone for p in people if p.phone},
            extensions={},
            mode=mode,
        )
        for ext in extensions:
            subject.extensions.setdefault(ext.account_id, set()).add(ext.extension)
        data = SubjectData(
            person_ids=ids, account_ids=account_ids, sections=[], audio=[]
        )
        data.sections += [
            _people_section(people, refs),
            _accounts_section(accounts),
            _numbers_section(numbers, extensions, refs),
        ]
        calls = _calls(use, subject)
        data.sections.append(_calls_section(calls, subject))
        data.sections.append(_voicemail_section(use, subject, data, audio_prefix))
        data.sections.append(
            _recordings_section(use, subject, [c.id for c in calls], data, audio_prefix)
        )
        data.sections.append(_communications_section(use, subject, data))
        business = [p.account_id for p in people if p.role in _ACCOUNT_ROLES]
        data.sections.append(_payment_section(use, business, refs))
        data.sections.append(_porting_section(use, business, refs, subject, data))
    return data


# ------------------------------------------------------------ who they are


def _people_section(people: list[Person], refs: dict[int, str]) -> Section:
    cols: tuple[str, ...] = (
        "person_id",
        "account",
        "role",
        "name",
        "email",
        "phone",
        "street",
    )
    cols += ("city", "region", "postal_code", "country", "created_at")
    section = Section("people", "business_contact", "You, as we hold you", cols)
    for p in people:
        section.rows.append(
            {
                "person_id": p.id,
                "account": refs.get(p.account_id),
                "role": p.role,
                "name": p.name,
                "email": p.email,
                "phone": p.phone,
                "street": p.street,
                "city": p.city,
                "region": p.region,
                "postal_code": p.postal_code,
                "country": p.country,
                "created_at": _iso(p.created_at),
            }
        )
    return section


def _accounts_section(accounts: list[Account]) -> Section:
    cols: tuple[str, ...] = (
        "account",
        "organization",
        "jurisdiction",
        "status",
        "created_at",
    )
    section = Section("accounts", "business_contact", "Business accounts", cols)
    for a in accounts:
        section.rows.append(
            {
                "account": a.ref,
                "organization": a.organization,
                "jurisdiction": a.jurisdiction,
                "status": a.status,
                "created_at": _iso(a.created_at),
            }
        )
    return section


def _numbers_section(
    numbers: list[PhoneNumber], extensions: list[Extension], refs: dict[int, str]
) -> Section:
    cols: tuple[str, ...] = ("account", "kind", "number", "status", "assigned_at")
    section = Section("phone_numbers", "phone_numbers", "Numbers and extensions", cols)
    for n in numbers:
        section.rows.append(
            {
                "account": refs.get(n.account_id),
                "kind": "number",
                "number": n.e164,
                "status": n.status,
                "assigned_at": _iso(n.created_at),
            }
        )
    for e in extensions:
        section.rows.append(
            {
                "account": refs.get(e.account_id),
                "kind": "extension",
                "number": e.extension,
                "status": "active",
                "assigned_at": _iso(e.created_at),
            }
        )
    return section


# ------------------------------------------------------------ telephony


def _calls(use: Access, subject: _Subject) -> list[CallRecord]:
    """Calls placed and received: one indexed lookup per number column, merged."""
    found: dict[int, CallRecord] = {}
    key = CallRecord.id
    for chunk in _chunks(subject.numbers):
        for column in (CallRecord.src_e164, CallRecord.dst_e164):
            for row in _paged(use, CallRecord, key, column.in_(chunk)):
                found[row.id] = row
    for account_id, exts in sorted(subject.extensions.items()):
        chosen = sorted(exts)
        where = or_(
            CallRecord.src_extension.in_(chosen), CallRecord.dst_extension.in_(chosen)
        )
        for row in _paged(
            use, CallRecord, key, CallRecord.account_id == account_id, where
        ):
            found[row.id] = row
    return [found[i] for i in sorted(found, key=lambda i: (found[i].started_at, i))]


def _calls_section(calls: list[CallRecord], subject: _Subject) -> Section:
    cols: tuple[str, ...] = (
        "call_id",
        "direction",
        "your_number",
        "other_party",
        "started_at",
    )
    cols += ("answered_at", "ended_at", "duration_s", "billsec_s", "disposition")
    cols += ("caller_name",)
    section = Section("call_records", "call_records", "Calls placed and received", cols)
    for c in calls:
        src_mine = subject.mine(c.src_e164, c.src_extension, c.account_id)
        dst_mine = subject.mine(c.dst_e164, c.dst_extension, c.account_id)
        src = c.src_e164 or c.src_extension or c.src_raw
        dst = c.dst_e164 or c.dst_extension or c.dst_raw
        own: str | None
        other: str | None
        if src_mine and dst_mine:
            direction, own, other = "internal", src, dst
        elif src_mine:
            direction, own, other = "placed", src, mask_number(dst, subject.mode)
        else:
            direction, own, other = "received", dst, mask_number(src, subject.mode)
        section.rows.append(
            {
                "call_id": c.id,
                "direction": direction,
                "your_number": own,
                "other_party": other,
                "started_at": _iso(c.started_at),
                "answered_at": _iso(c.answered_at),
                "ended_at": _iso(c.ended_at),
                "duration_s": c.duration_s,
                "billsec_s": c.billsec_s,
                "disposition": c.disposition,
                # The caller-id name is the caller's: theirs only if they called.
                "caller_name": c.caller_name if src_mine else None,
            }
        )
    return section


def _voicemail_section(
    use: Access, subject: _Subject, data: SubjectData, prefix: str
) -> Section:
    found: dict[int, tuple[Voicemail, str]] = {}
    key = Voicemail.id
    for account_id, exts in sorted(subject.extensions.items()):
        where = [
            Voicemail.account_id == account_id,
            Voicemail.mailbox.in_(sorted(exts)),
        ]
        for row in _paged(use, Voicemail, key, *where):
            found[row.id] = (row, "left_for_you")
    for chunk in _chunks(subject.numbers):
        for row in _paged(use, Voicemail, key, Voicemail.caller_e164.in_(chunk)):
            found.setdefault(row.id, (row, "left_by_you"))
    for account_id, exts in sorted(subject.extensions.items()):
        where = [
            Voicemail.account_id == account_id,
            Voicemail.caller_extension.in_(sorted(exts)),
        ]
        for row in _paged(use, Voicemail, key, *where):
            found.setdefault(row.id, (row, "left_by_you"))
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
                and not subject.mine(vm.caller_e164, vm.caller_extension, vm.account_id)
                else caller,
                "received_at": _iso(vm.received_at),
                "duration_s": vm.duration_s,
                "folder": vm.folder,
                "audio_file": audio,
            }
        )
    return section


def _audio(
    data: SubjectData, prefix: str, kind: str, row_id: int, blob_id: str | None
) -> str | None:
    if blob_id is None:
        return None
    path = f"{prefix}/{kind}/{kind}-{row_id}"
    data.audio.append(AudioFile(path=path, blob_id=blob_id, media_type=""))
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
    for number in sorted(subject.numbers):
        needle = json.dumps({"number": number})[1:-1]  # '"number": "+1..."'
        for row in _paged(
            use, CallRecording, key, CallRecording.parties.contains(needle)
        ):
            found[row.id] = row
    notice_ids = sorted({r.notice_id for r in found.values()})
    notices = {
        n.id: n
        for chunk in _chunks(notice_ids)
        for n in use.select(RecordingNotice, RecordingNotice.id.in_(chunk))
    }
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
            shown = (
                number
                if number in subject.numbers
                else mask_number(number, subject.mode)
            )
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


def _communications_section(
    use: Access, subject: _Subject, data: SubjectData
) -> Section:
    ids = [p.id for p in subject.people]
    own = _paged(use, Communication, Communication.id, Communication.person_id.in_(ids))
    relation = {c.id: "yours" for c in own}
    keeper = {c.id: c.person_id for c in own}
    for person in subject.people:
        for hit in mentions_of(use.session, person.id):
            relation.setdefault(hit.communication_id, "mentions_you")
            keeper.setdefault(hit.communication_id, person.id)
    rows = {c.id: c for c in own}
    missing = [i for i in relation if i not in rows]
    for chunk in _chunks(missing):
        for c in use.select(Communication, Communication.id.in_(chunk)):
            rows[c.id] = c
    cols: tuple[str, ...] = (
        "communication_id",
        "relation",
        "channel",
        "direction",
        "ticket_ref",
    )
    cols += ("occurred_at", "subject", "body", "redacted_items")
    section = Section("communications", "communications", "Messages and tickets", cols)
    for cid in sorted(rows, key=lambda i: (rows[i].occurred_at, i)):
        c = rows[cid]
        keep = keeper[cid] or ids[0]
        red = redacted_for(use.session, c, keep)
        body, body_secrets = scrub_secrets(red.body.text)
        heading, head_secrets = (
            scrub_secrets(red.subject.text) if red.subject is not None else (None, 0)
        )
        masked = len(red.body.redacted) + (
            len(red.subject.redacted) if red.subject is not None else 0
        )
        data.redactions += masked
        data.secrets_removed += body_secrets + head_secrets
        section.rows.append(
            {
                "communication_id": c.id,
                "relation": relation[cid],
                "channel": c.channel,
                "direction": c.direction,
                "ticket_ref": c.ticket_ref,
                "occurred_at": _iso(c.occurred_at),
                "subject": heading,
                "body": body,
                "redacted_items": masked + body_secrets + head_secrets,
            }
        )
    return section


# ------------------------------------------------------------ account records


def _payment_section(
    use: Access, account_ids: list[int], refs: dict[int, str]
) -> Section:
    cols: tuple[str, ...] = (
        "account",
        "card_brand",
        "card_last4",
        "card_expiry",
        "billing_street",
    )
    cols += ("billing_city", "billing_region", "billing_postal_code", "billing_country")
    section = Section("payment", "payment", "Payment cards on file (last 4 only)", cols)
    if not account_ids:
        return section
    pm = PaymentMethod
    found = use.rows(
        pm.account_id,
        pm.card_brand,
        pm.card_last4,
        pm.card_exp_month,
        pm.card_exp_year,
        pm.billing_street,
        pm.billing_city,
        pm.billing_region,
        pm.billing_postal_code,
        pm.billing_country,
        where=[pm.account_id.in_(sorted(set(account_ids)))],
        order_by=[pm.id],
    )
    for acct, brand, last4, month, year, street, city, region, postal, country in found:
        section.rows.append(
            {
                "account": refs.get(acct),
                "card_brand": brand,
                "card_last4": last4,
                "card_expiry": f"{year:04d}-{month:02d}",
                "billing_street": street,
                "billing_city": city,
                "billing_region": region,
                "billing_postal_code": postal,
                "billing_country": country,
            }
        )
    return section


def _porting_section(
    use: Access,
    account_ids: list[int],
    refs: dict[int, str],
    subject: _Subject,
    data: SubjectData,
) -> Section:
    cols: tuple[str, ...] = (
        "port_request_id",
        "account",
        "numbers",
        "previous_carrier",
    )
    cols += ("billing_telephone_number", "authorized_name", "service_address")
    cols += ("status", "requested_port_date", "created_at")
    section = Section("porting", "porting", "Number porting requests", cols)
    if not account_ids:
        return section
    pr = PortingRequest
    # carrier_account_number and carrier_pin are never selected: never decrypted.
    found = use.rows(
        pr.id,
        pr.account_id,
        pr.previous_carrier,
        pr.billing_telephone_number,
        pr.authorized_name,
        pr.service_address,
        pr.status,
        pr.requested_port_date,
        pr.created_at,
        where=[pr.account_id.in_(sorted(set(account_ids)))],
        order_by=[pr.id],
    )
    numbers: dict[int, list[str]] = {}
    for chunk in _chunks(r[0] for r in found):
        for req_id, e164 in use.rows(
            PortingNumber.porting_request_id,
            PortingNumber.e164,
            where=[PortingNumber.porting_request_id.in_(chunk)],
            order_by=[PortingNumber.id],
        ):
            numbers.setdefault(req_id, []).append(e164)
    names = {p.name.casefold() for p in subject.people}
    for req_id, acct, carrier, btn, authorized, address, status, date, created in found:
        if authorized.casefold() not in names:
            authorized = "[another person: redacted]"
            data.redactions += 1
        section.rows.append(
            {
                "port_request_id": req_id,
                "account": refs.get(acct),
                "numbers": " ".join(numbers.get(req_id, [])),
                "previous_carrier": carrier,
                "billing_telephone_number": btn,
                "authorized_name": authorized,
                "service_address": address,
                "status": status,
                "requested_port_date": _iso(date),
                "created_at": _iso(created),
            }
        )
    return section
