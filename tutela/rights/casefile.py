"""The case file: everything an officer needs on one page before acting on a request.

Clauses: rights.access (staff see whose data a request concerns before any
export: the requester, the people it matched and their accounts),
rights.access.verification (the verification state and evidence, by kind
and result only: the values a requester gave are never shown back),
rights.access.fee_or_reject (the decision and its reason), use.purposes
(the requester's address, the messages and the matched people are read
through the purpose gate as the officer, purpose `respond_to_requests`, so
every look at them is in the audit log).

    file = case_file(store, case_id, actor=officer.actor)
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select

from tutela.access import Actor, access
from tutela.rights import _people
from tutela.rights.cases import CaseView, aware, person_ids_of, show_case
from tutela.rights.deadlines import RULES
from tutela.store import Store, utcnow
from tutela.store.models import (
    DownloadToken,
    ExportBundle,
    OutboxMessage,
    RightsMessage,
    SarCase,
    VerificationChallenge,
    VerificationEvidence,
)

PURPOSE = "respond_to_requests"


@dataclass(frozen=True)
class MatchedPerson:
    person_id: int
    name: str
    email: str | None
    account_ref: str
    account_active: bool
    jurisdiction: str


@dataclass(frozen=True)
class CaseMessage:
    id: int
    received_at: dt.datetime
    channel: str
    sender: str | None
    subject: str | None
    auth_failures: list[str]


@dataclass(frozen=True)
class Evidence:
    """One verification step: its kind and result, never the value given.

    An override proposal also carries what its approver must see: its id,
    the reason and the person it names (staff's words, not the requester's).
    """

    kind: str
    matched: bool
    actor: str | None
    at: dt.datetime
    id: int = 0
    reason: str | None = None
    person_id: int | None = None


def _evidence(row: VerificationEvidence, at: dt.datetime) -> Evidence:
    if row.kind != "override_proposal":
        return Evidence(row.kind, row.matched, row.actor, at, row.id)
    data = json.loads(row.data or "{}")
    chosen = data.get("person_id")
    return Evidence(
        row.kind,
        row.matched,
        row.actor,
        at,
        row.id,
        reason=str(data.get("reason", "")),
        person_id=None if chosen is None else int(chosen),
    )


@dataclass(frozen=True)
class Challenge:
    channel: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    attempts: int
    max_attempts: int
    used: bool
    locked: bool


@dataclass(frozen=True)
class Mail:
    """A notice sent for the case (the body may carry a code: never shown)."""

    kind: str
    to: str
    subject: str
    status: str
    sent_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ExportRow:
    ref: str
    status: str
    size: int
    built_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    downloaded_at: dt.datetime | None


@dataclass(frozen=True)
class CaseFile:
    case: CaseView
    requester: str | None
    assigned_to: str | None
    days_left: int | None
    rule_text: str
    extension_reason: str | None
    decision_note: str | None
    people: list[MatchedPerson]
    messages: list[CaseMessage]
    evidence: list[Evidence]
    challenges: list[Challenge]
    mail: list[Mail]
    exports: list[ExportRow]


def rule_text(rule_name: str) -> str:
    """The deadline rule in words: its law, its period, its extension."""
    rule = RULES.get(rule_name)
    if rule is None:
        return rule_name
    period = (
        f"{rule.respond_months} calendar month(s)"
        if rule.respond_months
        else f"{rule.respond_days} calendar days"
    )
    if rule.extension_months:
        more = f"; extendable once by up to {rule.extension_months} month(s)"
    elif rule.extension_days:
        more = f"; extendable once by up to {rule.extension_days} days"
    else:
        more = "; no extension"
    return f"{rule.name} ({rule.law}): answer within {period}{more}"


def days_left(due: dt.datetime, now: dt.datetime) -> int:
    """Whole days until `due` (negative once overdue)."""
    return (due - now).days


def case_file(
    store: Store, case_id: int, *, actor: Actor, now: dt.datetime | None = None
) -> CaseFile:
    """The case with its requester, people, messages, evidence, mail and exports.

    `NotFound` (from `show_case`) for an id that is no case.
    """
    moment = now or utcnow()
    view = show_case(store, case_id, now=moment)
    with access(store, actor=actor, purpose=PURPOSE) as use:
        (case,) = use.select(SarCase, SarCase.id == case_id)
        requester = case.requester_address
        person_ids = person_ids_of(case)
        assigned, extension, note = (
            case.assigned_to,
            case.extension_reason,
            case.decision_note,
        )
        messages = [
            CaseMessage(
                id=m.id,
                received_at=aware(m.received_at) or moment,
                channel=m.channel,
                sender=m.sender_address,
                subject=m.subject,
                auth_failures=m.auth_failures.split(",") if m.auth_failures else [],
            )
            for m in use.select(
                RightsMessage,
                RightsMessage.case_id == case_id,
                order_by=[RightsMessage.id],
            )
        ]
        mail = [
            Mail(
                kind=str(kind),
                to=str(to),
                subject=str(subject),
                status=str(status),
                sent_at=aware(sent),
                created_at=aware(created) or moment,
            )
            for kind, to, subject, status, sent, created in use.rows(
                OutboxMessage.kind,
                OutboxMessage.to_address,
                OutboxMessage.subject,
                OutboxMessage.status,
                OutboxMessage.sent_at,
                OutboxMessage.created_at,
                where=[OutboxMessage.case_id == case_id],
                order_by=[OutboxMessage.id],
            )
        ]
    people = [
        MatchedPerson(
            person_id=p.person_id,
            name=p.name,
            email=p.email,
            account_ref=p.account_ref,
            account_active=p.account_active,
            jurisdiction=p.jurisdiction,
        )
        for p in _people.people_by_id(store, person_ids, actor=actor)
    ]
    with store.session() as session:
        evidence = [
            _evidence(e, aware(e.created_at) or moment)
            for e in session.scalars(
                select(VerificationEvidence)
                .where(VerificationEvidence.case_id == case_id)
                .order_by(VerificationEvidence.id)
            )
        ]
        challenges = [
            Challenge(
                channel=c.channel,
                sent_at=aware(c.created_at) or moment,
                expires_at=aware(c.expires_at) or moment,
                attempts=c.attempts,
                max_attempts=c.max_attempts,
                used=c.used_at is not None,
                locked=c.locked_at is not None,
            )
            for c in session.scalars(
                select(VerificationChallenge)
                .where(VerificationChallenge.case_id == case_id)
                .order_by(VerificationChallenge.id)
            )
        ]
        used = {
            t.export_id: aware(t.used_at)
            for t in session.scalars(
                select(DownloadToken).where(DownloadToken.case_id == case_id)
            )
        }
        exports = [
            ExportRow(
                ref=b.ref,
                status=b.status,
                size=b.size,
                built_by=b.built_by,
                created_at=aware(b.created_at) or moment,
                expires_at=aware(b.expires_at) or moment,
                downloaded_at=used.get(b.id),
            )
            for b in session.scalars(
                select(ExportBundle)
                .where(ExportBundle.case_id == case_id)
                .order_by(ExportBundle.id)
            )
        ]
    return CaseFile(
        case=view,
        requester=requester,
        assigned_to=assigned,
        days_left=days_left(view.due, moment) if view.due_status is not None else None,
        rule_text=rule_text(view.deadline_rule),
        extension_reason=extension,
        decision_note=note,
        people=people,
        messages=messages,
        evidence=evidence,
        challenges=challenges,
        mail=mail,
        exports=exports,
    )
