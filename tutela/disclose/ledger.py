"""Disclose, and keep the ledger of who received whose data, when and why.

Clauses: disclose.processors, disclose.legal_obligation, disclose.affiliates,
disclose.business_transfer, disclose.no_third_party_marketing (every decision,
allowed or refused, is written to the ledger), disclose.jurisdictions,
disclose.jurisdictions.local_law and disclose.jurisdictions.less_protective
(each subject's row says where the recipient is and whether the data crossed
the subject's jurisdiction), rights.access (the subject access export lists
the ledger rows about the subject), secure.measures (each decision is also an
audit entry; the ledger row points at it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, update

from tutela.disclose.recipients import (
    DisclosureRequest,
    check_disclosure,
    crosses_border,
    jurisdiction_of,
)
from tutela.errors import DisclosureRefused, Forbidden
from tutela.policy.model import Policy
from tutela.secure.audit import audit_log
from tutela.secure.roles import SUBJECT_ACCESS, Duty, has_duty, purposes_for
from tutela.store.db import Store
from tutela.store.models import Disclosure, DisclosureSubject
from tutela.use.actors import Actor
from tutela.use.subjects import subject_jurisdictions


@dataclass
class LedgerSubject:
    id: int
    jurisdiction: str
    crossed_border: bool


@dataclass
class LedgerEntry:
    id: int
    at: str
    actor: str
    recipient: str
    recipient_kind: str | None
    recipient_country: str | None
    recipient_jurisdiction: str | None
    categories: list[str]
    purpose: str
    reference: str | None
    authority: str | None
    allowed: bool
    clause: str | None
    reason: str | None
    audit_seq: int | None
    subjects: list[LedgerSubject] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def disclose(
    store: Store,
    *,
    actor: Actor,
    recipient: str,
    subjects: int | Iterable[int],
    categories: Iterable[str],
    purpose: str,
    country: str,
    reference: str | None = None,
    authority: str | None = None,
    policy: Policy | None = None,
) -> LedgerEntry:
    """Check a disclosure against the policy and record it; raise if refused.

    Refused disclosures are recorded too, then `DisclosureRefused` is raised.
    """
    ids = (subjects,) if isinstance(subjects, int) else tuple(sorted(set(subjects)))
    request = DisclosureRequest(
        recipient=recipient,
        subjects=ids,
        categories=tuple(sorted(set(categories))),
        purpose=purpose,
        country=country.upper(),
        reference=(reference or "").strip() or None,
        authority=(authority or "").strip() or None,
    )
    verdict = check_disclosure(policy or store.policy(), actor, request)
    with store.session() as session:
        where = subject_jurisdictions(session, ids)
    allowed, reason = verdict.allowed, verdict.reason
    if allowed and len(where) != len(ids):
        allowed, reason = False, f"{len(ids) - len(where)} subject id(s) name no person"
    entry = _write(
        store, actor, request, verdict.kind, verdict.clause, allowed, reason, where
    )
    if not allowed:
        raise DisclosureRefused(
            recipient=recipient, reason=reason, clause=verdict.clause
        )
    return entry


def _write(
    store: Store,
    actor: Actor,
    request: DisclosureRequest,
    kind: Any,
    clause: str | None,
    allowed: bool,
    reason: str,
    where: dict[int, str],
) -> LedgerEntry:
    with store.session() as session:
        row = Disclosure(
            actor=actor.id,
            recipient=request.recipient[:64],
            recipient_kind=str(kind) if kind else None,
            recipient_country=request.country[:2],
            recipient_jurisdiction=jurisdiction_of(request.country),
            categories=json.dumps(list(request.categories)),
            purpose=request.purpose[:64],
            reference=request.reference,
            authority=request.authority,
            allowed=allowed,
            clause=clause,
            reason=None if allowed else reason[:300],
        )
        session.add(row)
        session.flush()
        for subject_id, jurisdiction in sorted(where.items()):
            session.add(
                DisclosureSubject(
                    disclosure_id=row.id,
                    subject_id=subject_id,
                    subject_jurisdiction=jurisdiction,
                    crossed_border=crosses_border(jurisdiction, request.country),
                )
            )
        ledger_id = row.id
    crossed = sorted(s for s, j in where.items() if crosses_border(j, request.country))
    entry = audit_log(store).append(
        actor=actor.id,
        action="disclose.allow" if allowed else "disclose.refuse",
        purpose=request.purpose if request.purpose.isidentifier() else None,
        subjects=where.keys(),
        details={
            "ledger_id": ledger_id,
            "recipient_kind": str(kind) if kind else None,
            "categories": list(request.categories),
            "jurisdiction": jurisdiction_of(request.country),
            "crossed_border": crossed,
            "clause": clause,
        },
    )
    with store.session() as session:
        session.execute(
            update(Disclosure)
            .where(Disclosure.id == ledger_id)
            .values(audit_seq=entry.seq)
        )
    return _load(store, [ledger_id])[0]


def ledger_for_subject(
    store: Store, subject_id: int, *, actor: Actor
) -> list[LedgerEntry]:
    """Every disclosure decision about a person, oldest first (who, when, why)."""
    if not (
        has_duty(actor.role, Duty.read_ledger)
        or SUBJECT_ACCESS in purposes_for(actor.role, actor.job, policy=store.policy())
    ):
        raise Forbidden(f"role {actor.role} may not read the disclosure ledger")
    with store.session() as session:
        ids = list(
            session.scalars(
                select(DisclosureSubject.disclosure_id)
                .where(DisclosureSubject.subject_id == subject_id)
                .order_by(DisclosureSubject.disclosure_id)
            )
        )
    audit_log(store).append(
        actor=actor.id,
        action="ledger.read",
        subjects=[subject_id],
        details={"entries": len(ids)},
    )
    return _load(store, ids)


def _load(store: Store, ids: list[int]) -> list[LedgerEntry]:
    if not ids:
        return []
    with store.session() as session:
        rows = session.scalars(
            select(Disclosure).where(Disclosure.id.in_(ids)).order_by(Disclosure.id)
        ).all()
        subjects = session.scalars(
            select(DisclosureSubject)
            .where(DisclosureSubject.disclosure_id.in_(ids))
            .order_by(DisclosureSubject.subject_id)
        ).all()
    by_row: dict[int, list[LedgerSubject]] = {}
    for s in subjects:
        by_row.setdefault(s.disclosure_id, []).append(
            LedgerSubject(s.subject_id, s.subject_jurisdiction, s.crossed_border)
        )
    return [
        LedgerEntry(
            id=r.id,
            at=r.at.isoformat(),
            actor=r.actor,
            recipient=r.recipient,
            recipient_kind=r.recipient_kind,
            recipient_country=r.recipient_country,
            recipient_jurisdiction=r.recipient_jurisdiction,
            categories=list(json.loads(r.categories)),
            purpose=r.purpose,
            reference=r.reference,
            authority=r.authority,
            allowed=r.allowed,
            clause=r.clause,
            reason=r.reason,
            audit_seq=r.audit_seq,
            subjects=by_row.get(r.id, []),
        )
        for r in rows
    ]
