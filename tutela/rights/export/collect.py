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

from collections.abc import Sequence

from sqlalchemy import or_

from tutela.policy.model import Policy
from tutela.rights.export._masking import CounterpartMode, mask_number
from tutela.rights.export._media import _recordings_section, _voicemail_section
from tutela.rights.export._records import (
    _communications_section,
    _payment_section,
    _porting_section,
)
from tutela.rights.export.sections import (
    _ACCOUNT_ROLES,
    EXPORT_ACTOR,
    PURPOSE,
    Section,
    SubjectData,
    _chunks,
    _iso,
    _paged,
    _Subject,
)
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    CallRecord,
    Extension,
    Person,
    PhoneNumber,
)
from tutela.use import Access, access


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
