"""The life of a subject access request: states, transitions, decisions.

Clauses: rights.access (a subject can access the personal information),
rights.access.verification (nothing is released before identity is
verified), rights.access.fee_or_reject (a fee or a rejection carries a
reason and the right to complain).

    received -> verifying -> verified -> fulfilled
        |           |           |  \\-> fee_requested -> fulfilled
        |           |           |            |  \\-> rejected | expired
        +-----------+-----------+--> rejected
        +-----------+--> expired (unverified past the deadline)

Any other move raises `Conflict`. Every move writes a `SarCaseEvent` and,
once committed, an audit entry (`sar.<state>`) through `tutela.audit`.
Closing a case (fulfilled, rejected, expired) deletes what was collected
for verification: evidence rows, challenges and the claimed phone number,
in the same transaction, and sets `closed_at`, from which the retention
sweep (`tutela.retention.sweep`) counts the policy's period for the case's
records. `CLOSED` must equal the store's `CLOSED_CASE_STATES` (tested).
An access request never deletes or changes the subject's data.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tutela.audit import record
from tutela.errors import Conflict, InvalidInput, NotFound
from tutela.rights.deadlines import rule_for, status_of
from tutela.store import Store, utc_aware, utcnow
from tutela.store.models import (
    SarCase,
    SarCaseEvent,
    VerificationChallenge,
    VerificationEvidence,
)

PURPOSE = "respond_to_requests"
# A request by mail comes through a mailbox file (`sar intake`) or the SMTP
# listener: one channel for repeats and for the per-address mail limit.
MAIL_CHANNELS = ("email", "smtp")
REPEAT_WINDOW = dt.timedelta(days=365)


class State(StrEnum):
    received = "received"
    verifying = "verifying"
    verified = "verified"
    fee_requested = "fee_requested"
    fulfilled = "fulfilled"
    rejected = "rejected"
    expired = "expired"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.received: frozenset(
        {State.verifying, State.verified, State.rejected, State.expired}
    ),
    State.verifying: frozenset({State.verified, State.rejected, State.expired}),
    State.verified: frozenset({State.fee_requested, State.fulfilled, State.rejected}),
    State.fee_requested: frozenset({State.fulfilled, State.rejected, State.expired}),
    State.fulfilled: frozenset(),
    State.rejected: frozenset(),
    State.expired: frozenset(),
}
OPEN = frozenset({State.received, State.verifying, State.verified, State.fee_requested})
CLOSED = frozenset({State.fulfilled, State.rejected, State.expired})

# Decision reason -> the policy's rejection ground ("unreasonable or impractical").
REJECT_REASONS: dict[str, str | None] = {
    "manifestly_unfounded": "unreasonable",
    "excessive": "unreasonable",
    "repetitive": "unreasonable",
    "impractical": "impractical",
    "identity_not_verified": None,
    # The person an erasure is about stopped it during its cooling-off period.
    "stopped_by_subject": None,
}
FEE_REASONS = frozenset({"manifestly_unfounded", "excessive", "repetitive"})

COMPLAINT = {
    "gdpr": "You may complain to your data protection supervisory authority "
    "and seek a judicial remedy.",
    "ccpa": "You may contact the California Privacy Protection Agency or the "
    "California Attorney General.",
    "us": "You may contact the consumer protection office of your state's "
    "Attorney General.",
    "pipeda": "You may complain to the Office of the Privacy Commissioner of Canada.",
    "strict": "You may complain to the data protection or privacy authority "
    "where you live.",
}


def aware(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    return utc_aware(when)


@dataclass(frozen=True)
class CaseEvent:
    at: dt.datetime
    from_state: str | None
    to_state: str
    actor: str
    note: str | None
    audit_seq: int | None


@dataclass(frozen=True)
class CaseView:
    """A case as staff see it (the requester's address is not included)."""

    id: int
    ref: str
    state: str
    kind: str
    channel: str
    risk: str
    auth_failures: list[str]
    jurisdiction: str | None
    deadline_rule: str
    received_at: dt.datetime
    confirm_by: dt.datetime | None
    respond_by: dt.datetime
    extended_to: dt.datetime | None
    due: dt.datetime
    due_status: str | None
    verification_method: str | None
    verification_level: str | None
    account_closed: bool
    person_count: int
    fee_amount: str | None
    fee_paid: bool
    decision_reason: str | None
    export_ref: str | None
    outcome: dict[str, object] | None
    prior_requests: int
    erase_after: dt.datetime | None
    events: list[CaseEvent] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["events"] = [e.__dict__ for e in self.events]
        return out


def a_kind(kind: str) -> str:
    """'an access', 'an erasure', 'a correction': the kind with its article."""
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def person_ids_of(case: SarCase) -> list[int]:
    return [int(i) for i in json.loads(case.person_ids or "[]")]


def due_of(case: SarCase) -> dt.datetime:
    extended = aware(case.extended_to)
    respond = aware(case.respond_by)
    assert respond is not None
    return extended or respond


def new_ref() -> str:
    return "SAR-" + secrets.token_hex(4).upper()


def new_case(
    session: Session,
    *,
    channel: str,
    requester_address: str | None,
    received_at: dt.datetime,
    jurisdiction: str | None,
    person_ids: list[int],
    account_closed: bool = False,
    auth_failures: list[str] | None = None,
    subject_e164: str | None = None,
    kind: str = "access",
) -> SarCase:
    """Add a case in state `received` (the caller commits and audits it)."""
    rule = rule_for(jurisdiction)
    failures = sorted(set(auth_failures or []))
    case = SarCase(
        ref=new_ref(),
        kind=kind,
        state=State.received.value,
        channel=channel,
        requester_address=requester_address,
        subject_e164=subject_e164,
        person_ids=json.dumps(sorted(person_ids)),
        account_closed=account_closed,
        jurisdiction=jurisdiction,
        deadline_rule=rule.name,
        risk="high" if failures or account_closed else "normal",
        auth_failures=",".join(failures) or None,
        received_at=received_at,
        confirm_by=rule.confirm_by(received_at),
        respond_by=rule.respond_by(received_at),
        failed_attempts=0,
    )
    session.add(case)
    session.flush()
    session.add(
        SarCaseEvent(
            case_id=case.id,
            from_state=None,
            to_state=State.received.value,
            actor="system:support_inbox",
            note=channel,
        )
    )
    return case


class Change:
    """One transaction on one case; audit entries are appended after it commits."""

    def __init__(self, session: Session, case: SarCase) -> None:
        self.session = session
        self.case = case
        self.pending: list[tuple[SarCaseEvent, str, dict[str, object]]] = []

    def move(
        self,
        to: State,
        *,
        actor: str,
        note: str | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        """Move the case to `to`; `Conflict` if the state machine forbids it."""
        current = State(self.case.state)
        if to not in TRANSITIONS[current]:
            raise Conflict(
                f"case {self.case.id} is {current}; it cannot become {to}",
                errors=[f"allowed from {current}: {sorted(TRANSITIONS[current])}"],
            )
        self.case.state = to.value
        event = SarCaseEvent(
            case_id=self.case.id,
            from_state=current.value,
            to_state=to.value,
            actor=actor,
            note=(note or None) and note[:300],
        )
        self.session.add(event)
        if to in CLOSED:
            close_verification(self.session, self.case)
            self.case.closed_at = utcnow()
        self.pending.append(
            (event, actor, {"from": current.value, "to": to.value, **(details or {})})
        )

    def note(
        self,
        action: str,
        *,
        actor: str,
        details: dict[str, object],
        text: str | None = None,
    ) -> None:
        """An audited action on the case that is not a state change.

        The event's note is `action`, or `text` when given (e.g. with a date).
        """
        event = SarCaseEvent(
            case_id=self.case.id,
            from_state=self.case.state,
            to_state=self.case.state,
            actor=actor,
            note=(text or action)[:300],
        )
        self.session.add(event)
        self.pending.append((event, actor, {"action": action, **details}))


@contextmanager
def changing(store: Store, case_id: int) -> Iterator[Change]:
    """Load a case for update, commit the change, then append its audit entries.

    The write lock is taken first (SQLite: BEGIN IMMEDIATE, waiting its
    turn), so concurrent changes queue up instead of failing.
    """
    with store.writing() as session:
        case = session.scalars(
            select(SarCase).where(SarCase.id == case_id).with_for_update()
        ).one_or_none()
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        change = Change(session, case)
        yield change
        session.flush()
        pending = [(e.id, actor, d) for e, actor, d in change.pending]
        subjects = person_ids_of(case)
    audit_events(store, case_id, subjects, pending)


def audit_events(
    store: Store,
    case_id: int,
    subjects: list[int],
    pending: list[tuple[int, str, dict[str, object]]],
) -> None:
    """Append committed case events to the audit log and link them back."""
    seqs: dict[int, int] = {}
    for event_id, actor, details in pending:
        action = details.get("action")
        name = f"sar.{details['to']}" if action is None else f"sar.{action}"
        entry = record(
            store,
            actor=actor,
            action=str(name),
            purpose=PURPOSE,
            subjects=subjects,
            details={"case_id": case_id, **details},
        )
        seqs[event_id] = entry.seq
    if seqs:
        with store.session() as session:
            for event_id, seq in seqs.items():
                session.execute(
                    update(SarCaseEvent)
                    .where(SarCaseEvent.id == event_id)
                    .values(audit_seq=seq)
                )


def close_verification(session: Session, case: SarCase) -> None:
    """Delete what was collected only to verify identity (rights.access.verification)."""
    session.execute(
        delete(VerificationEvidence).where(VerificationEvidence.case_id == case.id)
    )
    session.execute(
        delete(VerificationChallenge).where(VerificationChallenge.case_id == case.id)
    )
    case.subject_e164 = None
    case.stop_digest = None  # a stop link of a closed case opens nothing


def prior_requests(session: Session, case: SarCase) -> int:
    """Other requests by the same subject in the 12 months before this one."""
    received = aware(case.received_at)
    assert received is not None
    since = received - REPEAT_WINDOW
    mine = set(person_ids_of(case))
    address = (case.requester_address or "").lower()
    count = 0
    others = session.scalars(
        select(SarCase).where(
            SarCase.id != case.id,
            SarCase.received_at >= since,
            SarCase.received_at <= received,
            SarCase.state != State.expired.value,
        )
    )
    for other in others:
        same_person = mine and mine & set(person_ids_of(other))
        same_address = (
            not mine and address and (other.requester_address or "").lower() == address
        )
        if same_person or same_address:
            count += 1
    return count


def view(
    session: Session, case: SarCase, *, now: dt.datetime | None = None
) -> CaseView:
    events = session.scalars(
        select(SarCaseEvent)
        .where(SarCaseEvent.case_id == case.id)
        .order_by(SarCaseEvent.id)
    )
    state = State(case.state)
    due = due_of(case)
    received = aware(case.received_at)
    assert received is not None
    return CaseView(
        id=case.id,
        ref=case.ref,
        state=case.state,
        kind=case.kind,
        channel=case.channel,
        risk=case.risk,
        auth_failures=(case.auth_failures or "").split(",")
        if case.auth_failures
        else [],
        jurisdiction=case.jurisdiction,
        deadline_rule=case.deadline_rule,
        received_at=received,
        confirm_by=aware(case.confirm_by),
        respond_by=aware(case.respond_by) or due,
        extended_to=aware(case.extended_to),
        due=due,
        due_status=status_of(due, now or utcnow()) if state in OPEN else None,
        verification_method=case.verification_method,
        verification_level=case.verification_level,
        account_closed=case.account_closed,
        person_count=len(person_ids_of(case)),
        fee_amount=case.fee_amount,
        fee_paid=case.fee_paid_at is not None,
        decision_reason=case.decision_reason,
        export_ref=case.export_ref,
        outcome=json.loads(case.outcome) if case.outcome else None,
        prior_requests=prior_requests(session, case),
        erase_after=aware(case.erase_after),
        events=[
            CaseEvent(
                at=aware(e.created_at) or e.created_at,
                from_state=e.from_state,
                to_state=e.to_state,
                actor=e.actor,
                note=e.note,
                audit_seq=e.audit_seq,
            )
            for e in events
        ],
    )


def show_case(
    store: Store, case_id: int, *, now: dt.datetime | None = None
) -> CaseView:
    """One case with its history; `NotFound` if there is none."""
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        return view(session, case, now=now)


def list_cases(
    store: Store,
    *,
    due_only: bool = False,
    state: str | None = None,
    now: dt.datetime | None = None,
) -> list[CaseView]:
    """Cases, oldest deadline first; `due_only`: open cases overdue or due soon."""
    moment = now or utcnow()
    with store.session() as session:
        stmt = select(SarCase).order_by(SarCase.respond_by, SarCase.id)
        if state is not None:
            if state not in State.__members__:
                raise InvalidInput(
                    f"unknown state; use one of {', '.join(State.__members__)}",
                    field="state",
                )
            stmt = stmt.where(SarCase.state == State(state).value)
        if due_only:
            stmt = stmt.where(SarCase.state.in_([s.value for s in OPEN]))
        views = [view(session, c, now=moment) for c in session.scalars(stmt)]
    if due_only:
        views = [v for v in views if v.due_status in ("overdue", "due_soon")]
        views.sort(key=lambda v: v.due)
    return views


def check_reason(reason: str, allowed: frozenset[str] | dict[str, str | None]) -> str:
    if reason not in allowed:
        raise InvalidInput(
            f"unknown reason; use one of {sorted(allowed)}", field="reason"
        )
    return reason
