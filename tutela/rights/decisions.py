"""Decide a verified request: fulfil, ask a fee, reject, extend, expire.

Clauses: rights.access (fulfil with an export), rights.access.fee_or_reject
("Jive may request payment or may reject requests that are unreasonable or
impractical to fulfill"). Every fee and rejection carries a reason code and
a notice of the right to complain; a rejection as `repetitive` needs an
earlier request by the same subject within 12 months. Extensions are
allowed only where the law has one, only once, and only with notice given
within the first period. Notices go only to a verified channel (see
`reply_channel`).
"""

from __future__ import annotations

import datetime as dt
import re

from tutela.config import Settings
from tutela.errors import Conflict, InvalidInput, NotFound
from tutela.mail.outbox import enqueue
from tutela.rights import _people
from tutela.rights.cases import (
    COMPLAINT,
    FEE_REASONS,
    OPEN,
    REJECT_REASONS,
    CaseView,
    Change,
    State,
    a_kind,
    aware,
    changing,
    check_reason,
    due_of,
    list_cases,
    person_ids_of,
    prior_requests,
    show_case,
)
from tutela.rights.deadlines import rule_for
from tutela.rights.notices import extension_message, fee_message, rejection_message
from tutela.store import Store, utcnow
from tutela.store.models import SarCase

_AMOUNT = re.compile(r"\d{1,7}(\.\d{1,2})?")
VERIFIED_CHANNELS = frozenset({"email_code", "signed_in"})


def reply_channel(store: Store, case_id: int) -> list[str]:
    """Addresses a notice may go to: the on-file address of a verified subject.

    Before verification (or after a verification that used no e-mail) there
    is no verified channel and nothing is sent by e-mail. Read before the
    write transaction opens: the gate appends to the audit log on its own.
    """
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        method = case.verification_method
        person_ids = person_ids_of(case)
        requester = case.requester_address
    if method not in VERIFIED_CHANNELS:
        return []
    if method == "email_code" and not person_ids and requester:
        # A subject who is no customer contact (a subscriber): the code
        # reached this address, which is the subject.
        return [requester.strip().lower()]
    people = _people.people_by_id(store, person_ids)
    active = [p.person_id for p in people if p.account_active]
    # Never an address a correction set and nobody confirmed.
    return _people.confirmed_addresses(store, active)


def _notify(
    store: Store,
    settings: Settings,
    change: Change,
    kind: str,
    message: tuple[str, str],
    to: list[str],
) -> None:
    subject, body = message
    for address in to:
        enqueue(
            change.session,
            kind=kind,
            to=address,
            subject=subject,
            body=body,
            sender=settings.mail_from,
            case_id=change.case.id,
        )


def request_fee(
    store: Store,
    case_id: int,
    *,
    amount: str,
    reason: str,
    actor: str,
    settings: Settings,
) -> CaseView:
    """verified -> fee_requested, with a reason and the right to complain."""
    if store.policy().meaning.access_request.fee != "allowed":
        raise Conflict("the policy does not allow fees for access requests")
    check_reason(reason, FEE_REASONS)
    if not _AMOUNT.fullmatch(amount):
        raise InvalidInput("is not an amount like 10 or 10.50", field="fee")
    to = reply_channel(store, case_id)
    with changing(store, case_id) as change:
        _repetitive_needs_prior(change, reason)
        change.case.fee_amount = amount
        change.case.decision_reason = reason
        change.move(
            State.fee_requested, actor=actor, note=reason, details={"reason": reason}
        )
        complaint = COMPLAINT[change.case.deadline_rule]
        _notify(
            store,
            settings,
            change,
            "sar_fee",
            fee_message(
                change.case.ref, amount, reason, complaint, kind=change.case.kind
            ),
            to,
        )
    return show_case(store, case_id)


def record_fee_paid(store: Store, case_id: int, *, actor: str) -> CaseView:
    with changing(store, case_id) as change:
        if State(change.case.state) is not State.fee_requested:
            raise Conflict(f"case {case_id} is {change.case.state}; no fee is due")
        change.case.fee_paid_at = utcnow()
        change.note("fee_paid", actor=actor, details={})
    return show_case(store, case_id)


def reject(
    store: Store,
    case_id: int,
    *,
    reason: str,
    actor: str,
    settings: Settings,
    note: str | None = None,
) -> CaseView:
    """Any open state -> rejected, with a reason and the right to complain."""
    check_reason(reason, REJECT_REASONS)
    ground = REJECT_REASONS[reason]
    grounds = store.policy().meaning.access_request.rejection_grounds
    if ground is not None and ground not in grounds:
        raise Conflict(f"the policy does not allow rejection as {ground}")
    to = reply_channel(store, case_id)
    with changing(store, case_id) as change:
        if reason == "identity_not_verified" and State(change.case.state) not in (
            State.received,
            State.verifying,
        ):
            raise Conflict(f"case {case_id} is already verified")
        _repetitive_needs_prior(change, reason)
        change.case.decision_reason = reason
        change.case.decision_note = note
        complaint = COMPLAINT[change.case.deadline_rule]
        ref = change.case.ref
        change.move(
            State.rejected,
            actor=actor,
            note=reason,
            details={"reason": reason, "ground": ground},
        )
        _notify(
            store,
            settings,
            change,
            "sar_rejection",
            rejection_message(ref, reason, complaint, kind=change.case.kind),
            to,
        )
    return show_case(store, case_id)


def fulfil(store: Store, case_id: int, *, export_ref: str, actor: str) -> CaseView:
    """verified (or fee_requested and paid) -> fulfilled, with the export attached."""
    if not export_ref.strip():
        raise InvalidInput(
            "fulfilment needs the reference of the export", field="export_ref"
        )
    with changing(store, case_id) as change:
        fulfil_in(change, export_ref=export_ref, actor=actor)
    return show_case(store, case_id)


def fulfil_in(change: Change, *, export_ref: str, actor: str) -> None:
    """`fulfil` inside a caller's change, to commit with what else it writes."""
    case = change.case
    if case.kind != "access":
        raise Conflict(
            f"case {case.id} is {a_kind(case.kind)} request; an export does not "
            f"answer it (`tutela sar {'erase' if case.kind == 'erasure' else 'correct'}`)"
        )
    if State(case.state) is State.fee_requested and case.fee_paid_at is None:
        raise Conflict(f"case {case.id} awaits its fee; record payment first")
    case.export_ref = export_ref.strip()[:200]
    change.move(State.fulfilled, actor=actor, details={"export": True})


def extend(
    store: Store,
    case_id: int,
    *,
    reason: str,
    actor: str,
    settings: Settings,
    now: dt.datetime | None = None,
) -> CaseView:
    """Extend the deadline once, as far as the law allows, with notice and reasons."""
    moment = now or utcnow()
    if len(reason.strip()) < 10:
        raise InvalidInput(
            "give the requester a real reason for the extension", field="reason"
        )
    to = reply_channel(store, case_id)
    with changing(store, case_id) as change:
        case = change.case
        if State(case.state) not in OPEN:
            raise Conflict(f"case {case_id} is {case.state}")
        if case.extended_to is not None:
            raise Conflict(f"case {case_id} is already extended")
        rule = rule_for(case.jurisdiction)
        received = aware(case.received_at)
        respond = aware(case.respond_by)
        assert received is not None and respond is not None
        latest = rule.latest_extension(received)
        if latest is None:
            raise Conflict(f"the {rule.name} rule allows no extension")
        if moment > respond:
            raise Conflict(
                "notice of an extension must be given within the first period; "
                "it has passed"
            )
        case.extended_to = latest
        case.extension_reason = reason.strip()[:300]
        change.note("extended", actor=actor, details={"rule": rule.name})
        complaint = COMPLAINT[case.deadline_rule]
        _notify(
            store,
            settings,
            change,
            "sar_extension",
            extension_message(
                case.ref,
                latest,
                case.extension_reason,
                complaint,
                kind=case.kind,
            ),
            to,
        )
    return show_case(store, case_id)


def expire_overdue(
    store: Store, *, actor: str = "system:support_inbox", now: dt.datetime | None = None
) -> list[int]:
    """Unverified (or unpaid) cases past their deadline become `expired`."""
    moment = now or utcnow()
    expired: list[int] = []
    for view in list_cases(store, due_only=True, now=moment):
        if view.state not in (State.received, State.verifying, State.fee_requested):
            continue
        if view.due_status != "overdue":
            continue
        with changing(store, view.id) as change:
            if due_of(change.case) < moment and State(change.case.state) in (
                State.received,
                State.verifying,
                State.fee_requested,
            ):
                change.move(State.expired, actor=actor)
                expired.append(view.id)
    return expired


def _repetitive_needs_prior(change: Change, reason: str) -> None:
    if reason == "repetitive" and prior_requests(change.session, change.case) == 0:
        raise Conflict(
            f"case {change.case.id}: no earlier request by this subject in the last "
            "12 months; 'repetitive' does not apply"
        )
