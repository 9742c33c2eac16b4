"""The work after the answer: find who a new request is about, then verify.

Clauses: rights.access.request (the request is acknowledged first, with
the same words and after the same work whoever asks) and
rights.access.verification (a code goes only to the address on file).

Intake (`tutela.rights.intake`, `tutela.rights.requests`) opens a case
without looking anyone up: the answer (an SMTP 250, a web page, an
acknowledgement mail) is given after the same steps for a known and an
unknown address. Only then does `match_and_verify` look up the people
with that address (through `tutela.access`), fix the case's jurisdiction,
deadline rule and risk, audit its opening and start verification. The
deadline still counts from when the request arrived.

A case still `received` has not had this step (the process stopped, or the
listener's queue was not drained): `resume` runs it for every such case,
and `tutela sar intake` and `tutela sar smtp` call it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import select

from tutela.config import Settings
from tutela.rights import _people, verification
from tutela.rights.cases import State, audit_events, aware
from tutela.rights.deadlines import rule_for
from tutela.store import Store, utcnow
from tutela.store.models import SarCase, SarCaseEvent

log = logging.getLogger(__name__)


def match_and_verify(
    store: Store, case_id: int, *, settings: Settings, now: dt.datetime | None = None
) -> None:
    """Link a new case to the people on file, audit it, start verification."""
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None or case.state != State.received.value:
            return  # already done (or swept): nothing to repeat
        address = case.requester_address
    on_file = _people.people_with_email(store, address) if address else []
    # Write lock first: concurrent requests' follow-ups queue up on SQLite.
    with store.writing() as session:
        case = session.scalars(
            select(SarCase).where(SarCase.id == case_id).with_for_update()
        ).one_or_none()
        if case is None or case.state != State.received.value:
            return
        first = session.scalars(
            select(SarCaseEvent)
            .where(SarCaseEvent.case_id == case_id)
            .order_by(SarCaseEvent.id)
            .limit(1)
        ).one()
        person_ids = sorted(p.person_id for p in on_file)
        jurisdictions = sorted({p.jurisdiction for p in on_file})
        # The account on file decides; with nobody on file, what the requester
        # stated on the form stands; several on file: the strictest rule.
        if len(jurisdictions) == 1:
            jurisdiction: str | None = jurisdictions[0]
        else:
            jurisdiction = None if on_file else case.jurisdiction
        closed = bool(on_file) and not any(p.account_active for p in on_file)
        received = aware(case.received_at)
        assert received is not None
        rule = rule_for(jurisdiction)
        case.person_ids = json.dumps(person_ids)
        case.jurisdiction = jurisdiction
        case.deadline_rule = rule.name
        case.confirm_by = rule.confirm_by(received)
        case.respond_by = rule.respond_by(received)
        case.account_closed = closed
        if closed:
            case.risk = "high"
        pending: list[tuple[int, str, dict[str, object]]] = (
            []
            if first.audit_seq is not None
            else [
                (
                    first.id,
                    "system:support_inbox",
                    {
                        "from": None,
                        "to": "received",
                        "channel": case.channel,
                        "risk": case.risk,
                    },
                )
            ]
        )
    audit_events(store, case_id, person_ids, pending)
    verification.start(store, case_id, settings=settings, now=now or utcnow())
    log.info("rights.matched case_id=%d people=%d", case_id, len(person_ids))


def resume(store: Store, *, settings: Settings) -> int:
    """Run `match_and_verify` for every case that is still `received`."""
    with store.session() as session:
        waiting = list(
            session.scalars(
                select(SarCase.id)
                .where(SarCase.state == State.received.value)
                .order_by(SarCase.id)
            )
        )
    for case_id in waiting:
        match_and_verify(store, case_id, settings=settings)
    return len(waiting)
