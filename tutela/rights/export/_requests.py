"""A subject's own requests, messages to the legal address, subscriptions and sign-ins.

Clauses: rights.access (everything held about the subject, including what
they asked of us: `rights_requests`), rights.access.request,
changes.subscribe (a policy-update subscription is their address), and
secure.measures (their portal sign-in and its attempts; passwords and
tokens are digests and are never read).

Reached by the subject's people (cases that named them, their portal
users), the addresses the request proved they control (inside the
interval each was theirs), a verified caller's number, and the case being
answered. Another requester's address on a case about the subject is
masked; one-time codes and download links in sent mail are never exported.
"""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy as email_policy
from email.message import EmailMessage

from sqlalchemy import func, or_

from tutela.access import Access
from tutela.auth.lockout import email_digest
from tutela.rights.export._masking import scrub_secrets
from tutela.rights.export.sections import (
    Claim,
    Section,
    SubjectData,
    _chunks,
    _iso,
    _Subject,
)
from tutela.store import utc_aware
from tutela.store.models import (
    Account,
    LoginAttempt,
    OutboxMessage,
    PolicySubscription,
    RightsMessage,
    SarCase,
    User,
    UserProposal,
    VerificationEvidence,
)

SOMEONE_ELSE = "[someone else: redacted]"
# Mail whose body is a credential (a one-time code, a download link).
_SECRET_MAIL = frozenset({"sar_code", "sar_export"})
_BODY_LIMIT = 20_000


def _addresses(subject: _Subject, proven: set[str]) -> list[Claim]:
    """The addresses that reach requests: proven by the code, or the subject itself."""
    claims = [c for c in subject.of("email") if c.account_id is None]
    known = {c.value for c in claims}
    claims += [Claim("email", a, None, None, None) for a in proven if a not in known]
    return claims


def _theirs(claims: list[Claim], address: str | None, at: dt.datetime | None) -> bool:
    if not address:
        return False
    wanted = address.strip().lower()
    return any(
        c.value == wanted
        and (c.since is None or (at is not None and utc_aware(at) >= c.since))
        and (c.until is None or (at is not None and utc_aware(at) < c.until))
        for c in claims
    )


def _cases(
    use: Access, subject: _Subject, claims: list[Claim], case_id: int | None
) -> list[SarCase]:
    ids = {p.id for p in subject.people}
    numbers = sorted(c.value for c in subject.of("number") if c.account_id is None)
    where = [SarCase.id == (case_id or -1)]
    where += [SarCase.person_ids.contains(str(pid)) for pid in sorted(ids)]
    where += [func.lower(SarCase.requester_address) == c.value for c in claims]
    if numbers:
        where.append(SarCase.subject_number.in_(numbers))
    found = use.select(SarCase, or_(*where), order_by=[SarCase.id])
    out = []
    for case in found:
        named = ids & {int(i) for i in json.loads(case.person_ids or "[]")}
        mine = (
            case.id == case_id
            or bool(named)
            or case.subject_number in numbers
            or _theirs(claims, case.requester_address, case.received_at)
        )
        if mine:
            out.append(case)
    return out


def requests_sections(
    use: Access,
    subject: _Subject,
    data: SubjectData,
    *,
    proven: set[str],
    case_id: int | None,
) -> list[Section]:
    """The access-request, message and subscription files of the export."""
    claims = _addresses(subject, proven)
    cases = _cases(use, subject, claims, case_id)
    refs = {c.id: c.ref for c in cases}
    data.reach("sar_cases", len(cases))
    return [
        _cases_section(cases, claims, use, data),
        _messages_section(use, cases, refs, claims, data),
        _subscriptions_section(use, claims, data),
    ]


def _cases_section(
    cases: list[SarCase], claims: list[Claim], use: Access, data: SubjectData
) -> Section:
    cols: tuple[str, ...] = ("case_ref", "received_at", "channel", "state")
    cols += ("requester", "verified_by", "decision", "closed_at", "verification")
    section = Section("access_requests", "rights_requests", "Your requests", cols)
    evidence: dict[int, list[str]] = {}
    for chunk in _chunks(c.id for c in cases):
        for case_ref, kind, matched in use.rows(
            VerificationEvidence.case_id,
            VerificationEvidence.kind,
            VerificationEvidence.matched,
            where=[VerificationEvidence.case_id.in_(chunk)],
            order_by=[VerificationEvidence.id],
        ):
            evidence.setdefault(case_ref, []).append(
                f"{kind}:{'matched' if matched else 'not matched'}"
            )
            data.reach("sar_verification_data", 1)
    for case in cases:
        own = _theirs(claims, case.requester_address, case.received_at)
        section.rows.append(
            {
                "case_ref": case.ref,
                "received_at": _iso(case.received_at),
                "channel": case.channel,
                "state": case.state,
                "requester": case.requester_address if own else SOMEONE_ELSE,
                "verified_by": case.verification_method,
                "decision": case.decision_reason,
                "closed_at": _iso(case.closed_at),
                # What was offered to prove identity: kinds only, never values.
                "verification": "; ".join(evidence.get(case.id, [])),
            }
        )
    return section


def _text_of(raw: str) -> tuple[str | None, str]:
    """Subject and plain-text body of a stored message (raw is base64 of the bytes)."""
    import base64

    parsed = email.message_from_bytes(
        base64.b64decode(raw), policy=email_policy.default
    )
    if not isinstance(parsed, EmailMessage):
        return None, ""
    part = parsed.get_body(preferencelist=("plain",))
    body = part.get_content() if part is not None else ""
    return parsed.get("Subject"), str(body)[:_BODY_LIMIT]


def _messages_section(
    use: Access,
    cases: list[SarCase],
    refs: dict[int, str],
    claims: list[Claim],
    data: SubjectData,
) -> Section:
    cols: tuple[str, ...] = ("direction", "case_ref", "kind", "at", "address")
    cols += ("subject", "body")
    section = Section(
        "rights_messages",
        "rights_requests",
        "Messages to and from our legal team",
        cols,
    )
    case_ids = sorted(refs)
    senders = [c.value for c in claims]
    rm = RightsMessage
    received = use.select(
        rm,
        or_(
            rm.case_id.in_(case_ids or [-1]), func.lower(rm.sender_address).in_(senders)
        ),
        order_by=[rm.received_at, rm.id],
    )
    for m in received:
        if m.case_id not in refs and not _theirs(
            claims, m.sender_address, m.received_at
        ):
            continue
        own = _theirs(claims, m.sender_address, m.received_at)
        heading, body = _text_of(m.raw) if own else (m.subject, "")
        text, secrets = scrub_secrets(body)
        data.secrets_removed += secrets
        data.reach("rights_messages", 1)
        section.rows.append(
            {
                "direction": "received",
                "case_ref": refs.get(m.case_id or -1),
                "kind": m.route,
                "at": _iso(m.received_at),
                "address": m.sender_address if own else SOMEONE_ELSE,
                "subject": heading,
                "body": text if own else None,
            }
        )
    ob = OutboxMessage
    sent = use.select(
        ob,
        or_(ob.case_id.in_(case_ids or [-1]), func.lower(ob.to_address).in_(senders)),
        order_by=[ob.created_at, ob.id],
    )
    for o in sent:
        own = _theirs(claims, o.to_address, o.created_at)
        if o.case_id not in refs and not own:
            continue
        data.reach("outbox", 1)
        sent_body = None if o.kind in _SECRET_MAIL or not own else o.body
        section.rows.append(
            {
                "direction": "sent",
                "case_ref": refs.get(o.case_id or -1),
                "kind": o.kind,
                "at": _iso(o.sent_at or o.created_at),
                "address": o.to_address if own else SOMEONE_ELSE,
                "subject": o.subject,
                "body": sent_body,
            }
        )
    return section


def _subscriptions_section(
    use: Access, claims: list[Claim], data: SubjectData
) -> Section:
    cols: tuple[str, ...] = ("address", "verified", "subscribed_at")
    section = Section(
        "subscriptions", "rights_requests", "Policy-update subscriptions", cols
    )
    wanted = [c.value for c in claims]
    if not wanted:
        return section
    for sub in use.select(
        PolicySubscription, func.lower(PolicySubscription.address).in_(wanted)
    ):
        if not _theirs(claims, sub.address, sub.created_at):
            continue
        data.reach("policy_subscriptions", 1)
        section.rows.append(
            {
                "address": sub.address,
                "verified": sub.verified,
                "subscribed_at": _iso(sub.created_at),
            }
        )
    return section


def portal_section(
    use: Access, subject: _Subject, data: SubjectData, *, proven: set[str]
) -> Section:
    """Their sign-in to the customer portal, and its sign-in attempts (counts)."""
    cols: tuple[str, ...] = ("email", "role", "account", "created_at", "disabled_at")
    cols += ("sign_in_attempts", "failed_sign_ins", "last_sign_in")
    section = Section("portal_users", "business_contact", "Your portal sign-in", cols)
    ids = [p.id for p in subject.people]
    where = []
    if ids:
        where.append(User.person_id.in_(ids))
    if proven:
        where.append(func.lower(User.email).in_(sorted(proven)))
    if not where:
        return section
    users = use.rows(
        User.email,
        User.role,
        User.account_id,
        User.created_at,
        User.disabled_at,
        where=[or_(*where), User.person_id.is_not(None)],
        order_by=[User.id],
    )
    refs = {
        a.id: a.ref
        for a in use.select(
            Account, Account.id.in_(sorted({int(u[2]) for u in users if u[2]}))
        )
    }
    data.reach("users", len(users))
    for address, role, account_id, created, disabled in users:
        attempts = use.rows(
            LoginAttempt.at,
            LoginAttempt.succeeded,
            where=[LoginAttempt.email_digest == email_digest(use.store, address)],
        )
        data.reach("login_attempts", len(attempts))
        ok = [at for at, succeeded in attempts if succeeded]
        section.rows.append(
            {
                "email": address,
                "role": role,
                "account": refs.get(account_id),
                "created_at": _iso(created),
                "disabled_at": _iso(disabled),
                "sign_in_attempts": len(attempts),
                "failed_sign_ins": len(attempts) - len(ok),
                "last_sign_in": _iso(max(ok)) if ok else None,
            }
        )
    return section


def officer_proposals_section(
    use: Access, data: SubjectData, *, proven: set[str]
) -> Section:
    """Proposals to make the address a privacy officer's (staff who ask, too)."""
    cols = ("email", "role", "state", "proposed_at", "decided_at")
    section = Section(
        "officer_proposals", "business_contact", "Proposals naming your address", cols
    )
    if not proven:
        return section
    rows = use.rows(
        UserProposal.email,
        UserProposal.role,
        UserProposal.state,
        UserProposal.proposed_at,
        UserProposal.decided_at,
        where=[func.lower(UserProposal.email).in_(sorted(proven))],
        order_by=[UserProposal.id],
    )
    data.reach("user_proposals", len(rows))
    for address, role, state, proposed, decided in rows:
        section.rows.append(
            {
                "email": address,
                "role": role,
                "state": state,
                "proposed_at": _iso(proposed),
                "decided_at": _iso(decided),
            }
        )
    return section


__all__ = ["officer_proposals_section", "portal_section", "requests_sections"]
