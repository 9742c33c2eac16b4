"""A signed-in customer claims an access request as theirs.

Clause: rights.access.verification (data is released only to its subject).
A reference is not a secret between two people: whoever asked for access
was handed it, and so may anyone they showed it to. So knowing a reference
and signing in is not enough: the request must have come from one of the
signed-in user's own addresses (their sign-in address, or the e-mail
address on file for their person). Otherwise someone could take over a
request made by someone else (a caller who is not a customer, say), have it
"verified" as theirs and leave its real requester without an answer.

Every refusal is the same `VerificationFailed`, whether the reference is
unknown or belongs to someone else.
"""

from __future__ import annotations

import datetime as dt

from tutela.access import Actor
from tutela.mail.parsing import clean_address
from tutela.rights import _people
from tutela.rights.requests import case_id_for_ref
from tutela.rights.verification import Outcome, VerificationFailed, verify_signed_in
from tutela.store import Store
from tutela.store.models import SarCase

_REFUSED = "no request with that reference was made from your address"


def claim_case(
    store: Store,
    ref: str,
    *,
    user_id: int,
    person_id: int,
    account_id: int,
    sign_in_address: str,
    reauthenticated_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Verify the case `ref` names as this user's, if it was asked from their address."""
    with store.session() as session:
        case_id = case_id_for_ref(session, ref)
        case = None if case_id is None else session.get(SarCase, case_id)
        requester = clean_address(case.requester_address or "") if case else None
    if case_id is None or requester is None:
        raise VerificationFailed(_REFUSED)
    actor = Actor.customer(person_id, account_id)
    mine = {clean_address(sign_in_address)}
    mine |= {
        clean_address(p.email or "")
        for p in _people.people_by_id(store, [person_id], actor=actor)
    }
    if requester not in mine:
        raise VerificationFailed(_REFUSED)
    return verify_signed_in(
        store,
        case_id,
        user_id=user_id,
        person_id=person_id,
        account_id=account_id,
        reauthenticated_at=reauthenticated_at,
        now=now,
    )
