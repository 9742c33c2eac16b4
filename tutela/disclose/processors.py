"""Disclosures that are part of an act: a card sent to the payment processor.

Clauses: disclose.processors.payment ("Jive discloses customer payment
information to third party payment vendors to process customer payments"),
disclose.jurisdictions (the ledger row names where the processor is).

`tutela.disclose.ledger.disclose` records a disclosure staff decide on, in
its own transactions. Sending a card to the processor is the one disclosure
the system itself makes, in the middle of another write (the card goes out,
the token comes back and is stored): `record_in_session` checks it against
the policy (`check_disclosure`: the recipient, the purpose, the categories,
the actor's right to disclose to processors) and writes the ledger row in
the caller's transaction, before the data leaves. A refused disclosure
raises `DisclosureRefused` and nothing is sent. The row is committed or
rolled back with the card it is about: a caller that rolls back after the
processor refused a card loses the row of a card that did go out (the
refusal itself is reported to the caller as an error).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from tutela.access.actors import Actor
from tutela.access.subjects import subject_jurisdictions
from tutela.disclose.recipients import (
    DisclosureRequest,
    check_disclosure,
    crosses_border,
    jurisdiction_of,
)
from tutela.errors import DisclosureRefused, InvalidInput
from tutela.policy import Policy
from tutela.store.models import Disclosure, DisclosureSubject


def record_in_session(
    session: Session,
    *,
    policy: Policy,
    actor: Actor,
    recipient: str,
    subjects: Sequence[int],
    categories: Sequence[str],
    purpose: str,
    country: str,
) -> Disclosure:
    """Check a disclosure the system is about to make and add its ledger row."""
    ids = tuple(sorted(set(subjects)))
    request = DisclosureRequest(
        recipient=recipient,
        subjects=ids,
        categories=tuple(sorted(set(categories))),
        purpose=purpose,
        country=country.upper(),
    )
    verdict = check_disclosure(policy, actor, request)
    if not verdict.allowed:
        raise DisclosureRefused(
            recipient=recipient, reason=verdict.reason, clause=verdict.clause
        )
    where = subject_jurisdictions(session, ids)
    if len(where) != len(ids):
        raise InvalidInput("names no person", field="subjects")
    row = Disclosure(
        actor=actor.id,
        recipient=recipient[:64],
        recipient_kind=str(verdict.kind) if verdict.kind else None,
        recipient_country=request.country[:2],
        recipient_jurisdiction=jurisdiction_of(request.country),
        categories=json.dumps(list(request.categories)),
        purpose=purpose[:64],
        allowed=True,
        clause=verdict.clause,
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
    session.flush()
    return row


__all__ = ["record_in_session"]
