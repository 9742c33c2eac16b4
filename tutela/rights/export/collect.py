"""Gather everything held about a verified subject, through the purpose gate.

Clauses: rights.access ("A subject of personal information can access the
personal information"), scope.web_unlinked (website and ad data are about no
one, so they are explained, never looked up), disclose.jurisdictions (the
ledger's recipients and their countries go into the export).

Every read goes through `tutela.access.access` as `system:sar_export` with the
purpose `subject_access`, so the gate audits each one. The subject is found
by person id (the case's matched people), account, e-mail and every number
they hold: calls placed and received (by E.164 number, and by extension
inside their account), voicemail left for them and by them, recordings they
took part in, their own messages and every message that mentions them.

Other people are kept out: a counterpart's number is masked as the policy
says, other people's names and data in messages are redacted
(`tutela.collect.communications.mentions.redacted_for`), another person's caller name is
dropped. Secrets are never selected at all: porting account numbers and
PINs and the payment processor's token are not read, so never decrypted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import or_

from tutela.access import Access, access
from tutela.policy import Policy
from tutela.rights.export._masking import CounterpartMode, mask_number
from tutela.rights.export._media import _recordings_section, _voicemail_section
from tutela.rights.export._records import (
    _communications_section,
    _payment_section,
    _porting_section,
)
from tutela.rights.export._requests import (
    officer_proposals_section,
    portal_section,
    requests_sections,
)
from tutela.rights.export.sections import (
    _ACCOUNT_ROLES,
    EXPORT_ACTOR,
    PURPOSE,
    Claim,
    Section,
    SubjectData,
    _iso,
    _paged,
    _Subject,
)
from tutela.store import Store, utc_aware
from tutela.store.models import (
    PROVEN,
    Account,
    CallRecord,
    Extension,
    Holding,
    Person,
    PhoneNumber,
)


def collect_subject(
    store: Store,
    person_ids: Sequence[int],
    *,
    policy: Policy,
    audio_prefix: str = "audio",
    proven_emails: Collection[str] = (),
    extra_claims: Sequence[Claim] = (),
    case_id: int | None = None,
) -> SubjectData:
    """Read everything held about the people `person_ids` (one subject), masked.

    The subject's numbers, extensions and addresses come from their holdings,
    each reaching records only inside its interval (and, unless assigned or
    verified, inside its own account). `proven_emails` are addresses the
    request proved the subject controls (a code reached them): they reach
    other accounts' messages too. `extra_claims` are identifiers of a subject
    who is not a customer contact (a verified caller's number, an address).
    `case_id` is the request being answered: it and the subject's earlier
    requests, messages and subscriptions are part of what is held.
    """
    mode: CounterpartMode = policy.meaning.access_request.counterpart_numbers
    proven = {e.strip().lower() for e in proven_emails}
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
        holdings = use.select(
            Holding, Holding.person_id.in_(ids), order_by=[Holding.valid_from]
        )
        claims = [_claim(h, proven) for h in holdings] + list(extra_claims)
        subject = _Subject(people=people, claims=claims, mode=mode)
        data = SubjectData(
            person_ids=ids, account_ids=account_ids, sections=[], audio=[]
        )
        data.sections += [
            _people_section(people, refs),
            _accounts_section(accounts),
            _numbers_section(use, holdings, ids, refs, data),
        ]
        data.reach("people", len(people))
        data.reach("accounts", len(accounts))
        calls = _calls(use, subject)
        data.reach("call_records", len(calls))
        data.sections.append(_calls_section(calls, subject))
        data.sections.append(_voicemail_section(use, subject, data, audio_prefix))
        data.sections.append(
            _recordings_section(use, subject, [c.id for c in calls], data, audio_prefix)
        )
        data.sections.append(_communications_section(use, subject, data))
        business = [p.account_id for p in people if p.role in _ACCOUNT_ROLES]
        data.sections.append(_payment_section(use, business, refs, data))
        data.sections.append(_porting_section(use, business, refs, subject, data))
        data.sections += requests_sections(
            use, subject, data, proven=proven, case_id=case_id
        )
        data.sections.append(portal_section(use, subject, data, proven=proven))
        data.sections.append(officer_proposals_section(use, data, proven=proven))
    return data


def _claim(holding: Holding, proven_emails: set[str]) -> Claim:
    anywhere = holding.evidence in PROVEN and holding.kind == "number"
    anywhere = anywhere or (holding.kind == "email" and holding.value in proven_emails)
    return Claim(
        kind=holding.kind,
        value=holding.value,
        account_id=None if anywhere else holding.account_id,
        since=utc_aware(holding.valid_from),
        until=None if holding.valid_to is None else utc_aware(holding.valid_to),
    )


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
    use: Access,
    holdings: list[Holding],
    ids: list[int],
    refs: dict[int, str],
    data: SubjectData,
) -> Section:
    """Every number and extension they held, from when to when, and on what evidence."""
    cols: tuple[str, ...] = ("account", "kind", "number", "status", "assigned_at")
    cols += ("held_until", "evidence")
    section = Section("phone_numbers", "phone_numbers", "Numbers and extensions", cols)
    numbers = use.select(PhoneNumber, PhoneNumber.assignee_id.in_(ids))
    extensions = use.select(Extension, Extension.person_id.in_(ids))
    data.reach("phone_numbers", len(numbers))
    data.reach("extensions", len(extensions))
    line_status = {n.e164: n.status for n in numbers}
    shown = [h for h in holdings if h.kind in ("number", "extension")]
    data.reach("holdings", len(holdings))
    for h in shown:
        ended = h.valid_to is not None
        section.rows.append(
            {
                "account": refs.get(h.account_id),
                "kind": "number" if h.kind == "number" else "extension",
                "number": h.value,
                "status": "ended"
                if ended
                else line_status.get(h.value, "active")
                if h.kind == "number"
                else "active",
                "assigned_at": _iso(h.valid_from),
                "held_until": _iso(h.valid_to),
                "evidence": h.evidence,
            }
        )
    return section


# ------------------------------------------------------------ telephony


def _calls(use: Access, subject: _Subject) -> list[CallRecord]:
    """Calls placed and received: one indexed lookup per claim, inside its interval."""
    found: dict[int, CallRecord] = {}
    key = CallRecord.id
    for claim in subject.of("number"):
        within = claim.where(CallRecord.account_id, CallRecord.started_at)
        for column in (CallRecord.src_e164, CallRecord.dst_e164):
            for row in _paged(use, CallRecord, key, column == claim.value, *within):
                found[row.id] = row
    for claim in subject.of("extension"):
        within = claim.where(CallRecord.account_id, CallRecord.started_at)
        held = or_(
            CallRecord.src_extension == claim.value,
            CallRecord.dst_extension == claim.value,
        )
        for row in _paged(use, CallRecord, key, held, *within):
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
        at = c.started_at
        src_mine = subject.mine(c.src_e164, c.src_extension, c.account_id, at)
        dst_mine = subject.mine(c.dst_e164, c.dst_extension, c.account_id, at)
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
