"""Identity verification before anything is released, erased or redirected.

Clause: rights.access.verification ("Before Jive processes a request, it may
ask for personal information to verify the subject's identity").

How much proof an action needs is one table, `tutela.rights.proof` (and
docs/verification.md). Verification records the level a case reached; the
action checks it (`proof.require`). The From header is never trusted. A
right code makes the one person who holds the address or number it
reached TODAY the case's subject (`tutela.rights._settle`), never a former
holder, and never anyone when two people hold it (an officer decides).
Factors, as `FACTORS` allows them for the case's risk (risk is `high` when
the receiving server's DMARC/DKIM/SPF failed, or when the address on file
belongs to a closed account, i.e. a former customer whose address may since
have been reused):

- `email_code` (normal risk only): an 8-digit one-time code sent to the
  address ON FILE for the matched person, never to a Reply-To, a new
  address or the From header as typed. Only an HMAC of the code is stored
  (keyed by the field key ring). Single use, expires after 30 minutes,
  5 wrong guesses lock the code, at most 3 codes per case. For an erasure
  it goes only to an address on file since before the possession period.
- `phone_code`: a code staff read out on a call TO a number (a call-back):
  whoever answers holds the line today. When the case matched people, only
  a proven line of theirs. The officer shown the code cannot enter it: the
  requester gives it back to another staff member, so no one officer can
  verify anyone alone.
- `signed_in`: a customer user signed in and re-authenticated no more than
  5 minutes before the check (`reauthenticated_at` is required), with a
  password they chose themselves (one staff set is known to staff).
- `staff_override`: proposed by one privacy officer with a reason and
  approved by a different, independent one; both must be real, active
  privacy officers (`tutela.auth.staff.active_staff`), and both user ids go
  to the audit log.

Data points (a name, a postal code, an account number, calls placed from a
line) are not a factor: each is known to someone else in the subject's
life (`tutela.rights.proof`). A verified case may be verified again by a
stronger factor, which raises its level (an erasure needs `high`).
Everything collected here is stored encrypted, used for nothing else and
deleted when the case closes (`tutela.rights.cases.close_verification`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutela.access import Actor
from tutela.access.roles import Role
from tutela.auth import (
    NotIndependent,
    check_independent_approver,
    check_independent_in,
    password_known_to_others,
    staff_user_id,
)
from tutela.auth.staff import active_staff
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput, NotFound
from tutela.mail import AddressLimits, count_request
from tutela.mail.outbox import enqueue
from tutela.rights import _people, _settle
from tutela.rights.cases import (
    MAIL_CHANNELS,
    Change,
    State,
    aware,
    changing,
    person_ids_of,
)
from tutela.rights.notices import code_message
from tutela.rights.proof import Level, code_level, level_of, possession_since
from tutela.store import KeyRing, Store, utcnow
from tutela.store.models import SarCase, VerificationChallenge, VerificationEvidence

CODE_DIGITS = 8
CODE_TTL = dt.timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
MAX_CODES_PER_CASE = 3
REAUTH_MAX_AGE = dt.timedelta(minutes=5)

# Risk -> the factors that may verify a case. A high-risk case (forged-looking
# mail, a former customer's address) needs a factor that does not rely on
# the address: a call-back, a sign-in or two officers.
FACTORS: dict[str, frozenset[str]] = {
    "normal": frozenset({"email_code", "phone_code", "signed_in", "staff_override"}),
    "high": frozenset({"phone_code", "signed_in", "staff_override"}),
}
# Where a case may still be verified: before release, or after it to raise
# the level an action needs.
VERIFIABLE = frozenset({State.received, State.verifying, State.verified})


class VerificationFailed(Forbidden):
    """The requester did not prove who they are; nothing is released."""

    exit_code = 1


@dataclass(frozen=True)
class Outcome:
    case_id: int
    state: str
    verified: bool
    detail: str
    level: str | None = None


def methods_for(risk: str) -> frozenset[str]:
    """The factors that may verify a case of this risk."""
    return FACTORS[risk]


def _require(method: str, risk: str) -> None:
    allowed = methods_for(risk)
    if method not in allowed:
        raise VerificationFailed(
            f"verification by {method} is not accepted for a {risk}-risk request; "
            f"use one of {sorted(allowed)}"
        )


def _verifiable(case: SarCase) -> None:
    state = State(case.state)
    if state not in VERIFIABLE:
        raise Conflict(f"case {case.id} is {state}; verification is over")
    if state is State.verified and level_of(case.verification_level) >= Level.high:
        raise Conflict(f"case {case.id} is verified at the highest level already")


def parse_e164(text: str, *, field: str = "phone") -> str:
    """`text` as an E.164 number; InvalidInput (naming `field`, not the value)."""
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            "is not a phone number in international form", field=field
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput("is not a possible phone number", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ------------------------------------------------------------ one-time codes


def _code_key(ring: KeyRing, kid: str) -> bytes:
    return hmac.new(ring.keys[kid], b"tutela.sar.code", hashlib.sha256).digest()


def hash_code(ring: KeyRing, code: str, *, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hmac.new(
        _code_key(ring, ring.primary), f"{salt}:{code}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{ring.primary}${salt}${digest}"


def code_matches(ring: KeyRing, stored: str, code: str) -> bool:
    try:
        kid, salt, digest = stored.split("$")
        key = _code_key(ring, kid)
    except (ValueError, KeyError):
        return False
    mine = hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(mine, digest)


def start(
    store: Store,
    case_id: int,
    *,
    settings: Settings,
    actor: str = "system:support_inbox",
    now: dt.datetime | None = None,
) -> Outcome:
    """Move a received case to `verifying` and, when allowed, send a code on file.

    The code goes to the requester's address only when it is on file for
    exactly one person today, one of the case's matched people (or, for a
    requester who is no customer contact, when the address is on file at
    all), and, for an erasure, only when that address was on file since
    before the possession period. Otherwise the case waits for another
    factor; an address held by two people is noted for an officer. Whether
    a code was sent is not told to the requester (the acknowledgement is
    the same either way).
    """
    moment = now or utcnow()
    with changing(store, case_id) as change:
        case = change.case
        person_ids = person_ids_of(case)
        risk, kind, requester = case.risk, case.kind, case.requester_address
        received = aware(case.received_at) or moment
        state = State(case.state)
    if state not in (State.received, State.verifying):
        raise Conflict(f"case {case_id} is {state}; verification is over")
    target, detail, holders = None, "awaiting_other_method", 0
    if "email_code" in methods_for(risk) and requester:
        settled = _settle.by_address(
            store, requester, person_ids, received_at=received, settings=settings
        )
        strong = code_level(settled.on_file_since, received, settings) >= Level.high
        if settled.ambiguous:
            detail, holders = "ambiguous_holders", len(person_ids)
        elif settled.refusal is not None:
            detail = "no_address_on_file"
        elif settled.person_ids and kind == "erasure" and not strong:
            detail = "address_too_new_for_erasure"
        elif settled.person_ids or _people.address_on_file(
            store, requester, case_id=case_id
        ):
            # A non-customer's address (a subscriber, an earlier requester,
            # someone named in a message) is the subject itself.
            target, detail = requester.strip().lower(), "code_sent"
    with changing(store, case_id) as change:
        case = change.case
        if State(case.state) is State.received:
            change.move(
                State.verifying, actor=actor, note=detail, details={"method": detail}
            )
        if detail == "ambiguous_holders":
            change.note(
                "ambiguous_holders",
                actor=actor,
                details={"holders": holders},
                text="ambiguous_holders: an officer decides whose request this is",
            )
        if target is not None and case.channel in MAIL_CHANNELS:
            # A request by mail was not counted against the address it names
            # (the web counts each request); each code it mails is.
            limits = AddressLimits.of(settings)
            if count_request(change.session, target, limits=limits, now=moment):
                target, detail = None, "address_limited"
                change.note("address_limited", actor=actor, details={})
        if target is not None:
            _issue_email_code(store, change, target, settings, moment, actor=actor)
        return Outcome(case_id, change.case.state, False, detail)


def _issue_email_code(
    store: Store,
    change: Change,
    address: str,
    settings: Settings,
    moment: dt.datetime,
    *,
    actor: str,
) -> None:
    case = change.case
    issued = codes_issued(change.session, case.id)
    if issued >= MAX_CODES_PER_CASE:
        raise VerificationFailed(
            f"case {case.id} has had {issued} codes; verify another way"
        )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    change.session.add(
        VerificationChallenge(
            case_id=case.id,
            code_hash=hash_code(store.keys, code),
            channel="email",
            expires_at=moment + CODE_TTL,
            attempts=0,
            max_attempts=CODE_MAX_ATTEMPTS,
        )
    )
    subject, body = code_message(case.ref, code, CODE_TTL, kind=case.kind)
    enqueue(
        change.session,
        kind="sar_code",
        to=address,
        subject=subject,
        body=body,
        sender=settings.mail_from,
        case_id=case.id,
    )
    change.note("code_issued", actor=actor, details={"recipients": 1})


def codes_issued(session: Session, case_id: int) -> int:
    """How many codes a case has had (bounded by MAX_CODES_PER_CASE)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(VerificationChallenge)
            .where(VerificationChallenge.case_id == case_id)
        )
        or 0
    )


def _line_of_case(
    settled: _settle.Settled, matched: list[int], case_id: int
) -> _settle.Settled:
    """`settled`, refused unless the line is the case's own person's."""
    if settled.refusal is not None:
        raise VerificationFailed(f"case {case_id}: {settled.refusal}")
    if matched and not (settled.person_ids and settled.person_ids[0] in matched):
        raise VerificationFailed(
            f"case {case_id}: the number is not a line of the person this case "
            "is about; call a line they hold (assigned or verified) instead"
        )
    return settled


def send_phone_code(
    store: Store,
    case_id: int,
    phone: str,
    *,
    staff: str,
    settings: Settings,
    now: dt.datetime | None = None,
) -> tuple[Outcome, str]:
    """A one-time code for staff to read out on a call TO `phone` (a call-back).

    Whoever answers that number holds it today: the code proves control of
    the line, where caller ID and call history can be forged or overheard.
    When the case matched people, the number must be a proven line of one
    of them (a number the requester names proves nothing about them); for
    an erasure, one held since before the possession period. Returns the
    outcome and the code (shown to the staff member once; only its keyed
    hash is stored). That staff member cannot enter it (`submit_code`).
    """
    _staff(store, staff)
    moment = now or utcnow()
    number = parse_e164(phone)
    settled = _settle.by_number(store, number, at=moment)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with changing(store, case_id) as change:
        case = change.case
        _require("phone_code", case.risk)
        _verifiable(case)
        _line_of_case(settled, person_ids_of(case), case_id)
        received = aware(case.received_at) or moment
        level = code_level(settled.on_file_since, received, settings)
        if case.kind == "erasure" and settled.person_ids and level < Level.high:
            raise VerificationFailed(
                f"case {case_id}: an erasure needs a line on file since "
                f"{possession_since(received, settings):%Y-%m-%d}; this one is newer"
            )
        if level <= level_of(case.verification_level):
            raise Conflict(
                f"case {case_id}: a code to this line would not raise its level"
            )
        issued = codes_issued(change.session, case.id)
        if issued >= MAX_CODES_PER_CASE:
            raise VerificationFailed(
                f"case {case_id} has had {issued} codes; verify another way"
            )
        case.subject_e164 = number
        change.session.add(
            VerificationChallenge(
                case_id=case.id,
                code_hash=hash_code(store.keys, code),
                channel="phone",
                expires_at=moment + CODE_TTL,
                attempts=0,
                max_attempts=CODE_MAX_ATTEMPTS,
                issued_to=staff,
            )
        )
        if State(case.state) is State.received:
            change.move(State.verifying, actor=staff)
        change.note("code_issued", actor=staff, details={"channel": "phone"})
        state = case.state
    return Outcome(case_id, state, False, "phone_code_issued"), code


def _pending_code(
    store: Store, case_id: int, moment: dt.datetime, settings: Settings
) -> _settle.Settled:
    """Whose data the outstanding code of a case would release (read before the update)."""
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        channel = session.scalar(
            select(VerificationChallenge.channel)
            .where(
                VerificationChallenge.case_id == case_id,
                VerificationChallenge.used_at.is_(None),
            )
            .order_by(VerificationChallenge.id.desc())
            .limit(1)
        )
        number, address = case.subject_e164, case.requester_address
        person_ids = person_ids_of(case)
        received = aware(case.received_at) or moment
    if channel == "phone" and number:
        settled = _settle.by_number(store, number, at=moment)
        if (
            settled.refusal is None
            and person_ids
            and not (settled.person_ids and settled.person_ids[0] in person_ids)
        ):
            return _settle.Settled(
                [], refusal="the number is not a line of this case's person"
            )
        return settled
    if address:
        return _settle.by_address(
            store, address, person_ids, received_at=received, settings=settings
        )
    return _settle.Settled([], refusal="the case has no address a code could reach")


def _not_a_second_person(
    session: Session, shown_to: str, entered_by: str, now: dt.datetime
) -> str | None:
    """Why `entered_by` is no second person to `shown_to`, or None when they are."""
    if shown_to == entered_by:
        return "the same person"
    shown, entering = staff_user_id(shown_to), staff_user_id(entered_by)
    if shown is None or entering is None:
        return None
    try:
        check_independent_in(session, proposer=shown, approver=entering, now=now)
    except NotIndependent as refused:
        return _NOT_SECOND.get(refused.reason, refused.reason)
    return None


_NOT_SECOND = {
    "administered": "one administered the other's account",
    "waiting": "the second is a privacy officer of only a few days",
}


def submit_code(
    store: Store,
    case_id: int,
    code: str,
    *,
    staff: str,
    settings: Settings,
    now: dt.datetime | None = None,
) -> Outcome:
    """Check a one-time code the requester gave `staff`; `VerificationFailed` when wrong.

    A right code makes the one holder of the address (or number) it reached
    the case's subject: the person who holds it today, never a former
    holder. The check is recorded as the staff member who entered it.
    """
    _staff(store, staff)
    moment = now or utcnow()
    settled = _pending_code(store, case_id, moment, settings)
    failure: str | None = None
    method = "email_code"
    level = Level.none
    with changing(store, case_id) as change:
        case = change.case
        if State(case.state) not in (State.verifying, State.verified):
            raise Conflict(f"case {case_id} is {case.state}, not verifying")
        challenge = change.session.scalars(
            select(VerificationChallenge)
            .where(
                VerificationChallenge.case_id == case.id,
                VerificationChallenge.used_at.is_(None),
            )
            .order_by(VerificationChallenge.id.desc())
            .limit(1)
        ).one_or_none()
        method = "phone_code" if challenge and challenge.channel == "phone" else method
        _require(method, case.risk)
        received = aware(case.received_at) or moment
        level = code_level(settled.on_file_since, received, settings)
        if challenge is None or challenge.code_hash is None:
            failure = "no code is outstanding for this case; request a new one"
        elif challenge.issued_to is not None and (
            not_second := _not_a_second_person(
                change.session, challenge.issued_to, staff, moment
            )
        ):
            # Shown the code, this officer (or an account they administer)
            # could enter it without calling.
            failure = (
                "a call-back code is entered by another staff member than the "
                f"one who read it out ({not_second}); the requester gives it to "
                "a colleague"
            )
        elif challenge.locked_at is not None:
            failure = "this code is locked after too many wrong guesses"
        elif moment > (aware(challenge.expires_at) or moment):
            failure = "this code has expired; request a new one"
        elif not code_matches(store.keys, challenge.code_hash, code.strip()):
            challenge.attempts += 1
            case.failed_attempts += 1
            locked = challenge.attempts >= challenge.max_attempts
            if locked:
                challenge.locked_at = moment
            change.note(
                "code_locked" if locked else "code_failed",
                actor=staff,
                details={"attempts": challenge.attempts},
            )
            failure = "the code is wrong" + (" and is now locked" if locked else "")
        elif settled.refusal is not None:
            failure = settled.refusal
        elif State(case.state) is State.verified and (
            set(settled.person_ids) != set(person_ids_of(case))
            or level <= level_of(case.verification_level)
        ):
            failure = "the code does not raise this case's verification"
        else:
            challenge.used_at = moment
            challenge.code_hash = None
            case.person_ids = json.dumps(settled.person_ids)
            case.subject_number = settled.number
            case.subject_since = settled.since
            _verified(change, method, level, moment, actor=staff)
    if failure is not None:
        raise VerificationFailed(f"case {case_id}: {failure}")
    return Outcome(case_id, State.verified.value, True, method, level.name)


def _verified(
    change: Change,
    method: str,
    level: Level,
    moment: dt.datetime,
    *,
    actor: str,
    details: dict[str, object] | None = None,
) -> None:
    """Record the factor and level; a verified case is raised, not moved."""
    case = change.case
    case.verification_method = method
    case.verification_level = level.name
    case.verified_at = moment
    facts = {"method": method, "level": level.name, **(details or {})}
    if State(case.state) is State.verified:
        change.note("verification_raised", actor=actor, details=facts)
    else:
        change.move(State.verified, actor=actor, details=facts)


# ------------------------------------------------------------ signed-in users


def verify_signed_in(
    store: Store,
    case_id: int,
    *,
    user_id: int,
    person_id: int,
    account_id: int,
    reauthenticated_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> Outcome:
    """A signed-in customer user who re-authenticated within the last 5 minutes.

    With a password they chose themselves through the link mailed to their
    sign-in address (`tutela.auth.credentials`): one somebody else set
    (staff, the host's operator, the demo), or changed from one somebody
    else knew, proves nothing about the customer.
    """
    moment = now or utcnow()
    actor = Actor.customer(person_id, account_id)
    if password_known_to_others(store, user_id):
        raise VerificationFailed(
            "your password was set by someone else (our staff, or when your "
            "account was made); choose your own with the link the portal's "
            "password page mails you, then verify again"
        )
    when = aware(reauthenticated_at)
    if when is None or when > moment + dt.timedelta(seconds=30):
        raise VerificationFailed("re-authentication is required before release")
    if moment - when > REAUTH_MAX_AGE:
        raise VerificationFailed(
            "re-authentication is older than 5 minutes; sign in again"
        )
    people = _people.people_by_id(store, [person_id])
    if not people or people[0].account_id != account_id or not people[0].account_active:
        raise VerificationFailed("the signed-in user is not an active customer user")
    with changing(store, case_id) as change:
        case = change.case
        _require("signed_in", case.risk)
        _verifiable(case)
        linked = person_ids_of(case)
        if linked and person_id not in linked:
            raise VerificationFailed(
                f"case {case_id} concerns someone other than the signed-in user"
            )
        case.person_ids = json.dumps([person_id])
        if State(case.state) is State.received:
            change.move(State.verifying, actor=actor.id)
        _verified(change, "signed_in", Level.high, moment, actor=actor.id)
    return Outcome(case_id, State.verified.value, True, "signed_in", Level.high.name)


# ------------------------------------------------------------ staff override


def propose_override(
    store: Store,
    case_id: int,
    *,
    staff: str,
    reason: str,
    person_id: int | None = None,
) -> Outcome:
    """First half of a staff override: a real privacy officer proposes, with a reason.

    `staff` is the proposer's actor id ('staff:<user id>'); it must name an
    active privacy officer (`StaffRefused` otherwise). When the case matched
    more than one person (an address two people hold), the proposal names
    the one it is about (`person_id`), chosen among them.
    """
    proposer_id = _staff(store, staff)
    if not reason.strip():
        raise InvalidInput("an override needs a reason", field="reason")
    with changing(store, case_id) as change:
        case = change.case
        _verifiable(case)
        matched = person_ids_of(case)
        if person_id is None and len(matched) > 1:
            raise InvalidInput(
                f"the case matched {len(matched)} people; name the one it is about",
                field="person",
            )
        if person_id is not None and person_id not in matched:
            raise InvalidInput(
                "is not one of the people this case matched", field="person"
            )
        change.session.add(
            VerificationEvidence(
                case_id=case.id,
                kind="override_proposal",
                data=json.dumps({"reason": reason[:300], "person_id": person_id}),
                matched=False,
                actor=staff,
            )
        )
        if State(case.state) is State.received:
            change.move(State.verifying, actor=staff)
        change.note(
            "override_proposed",
            actor=staff,
            details={"proposer": staff, "proposer_user_id": proposer_id},
        )
        state = case.state
    return Outcome(case_id, state, False, "override_proposed")


@dataclass(frozen=True)
class Proposal:
    """An override proposal as the approver must see it: who, whom and why."""

    id: int
    proposer: str
    reason: str
    person_id: int | None
    at: dt.datetime


def proposals(store: Store, case_id: int) -> list[Proposal]:
    """The case's override proposals, oldest first (the last is the one approved)."""
    with store.session() as session:
        rows = session.scalars(
            select(VerificationEvidence)
            .where(
                VerificationEvidence.case_id == case_id,
                VerificationEvidence.kind == "override_proposal",
            )
            .order_by(VerificationEvidence.id)
        ).all()
        out = []
        for row in rows:
            data = json.loads(row.data or "{}")
            chosen = data.get("person_id")
            out.append(
                Proposal(
                    row.id,
                    row.actor or "",
                    str(data.get("reason", "")),
                    None if chosen is None else int(chosen),
                    aware(row.created_at) or utcnow(),
                )
            )
    return out


def approve_override(
    store: Store,
    case_id: int,
    *,
    staff: str,
    proposal_id: int | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Second half: a DIFFERENT real privacy officer approves; the case is verified.

    Both the approver and the proposer must be active privacy officers at
    the moment of approval (a proposal by someone since disabled does not
    count), and they must be two distinct users, and two people: neither
    administered the other, and the approver is past a new officer's first
    days (`tutela.auth.check_independent_approver`, `NotIndependent`).

    The approver approves what they saw: `proposal_id` names it, and it must
    still be the latest (a proposal made since supersedes it). Without an
    id, the case must have exactly one proposal.
    """
    approver_id = _staff(store, staff)
    moment = now or utcnow()
    with changing(store, case_id) as change:
        case = change.case
        _require("staff_override", case.risk)
        _verifiable(case)
        made = change.session.scalars(
            select(VerificationEvidence)
            .where(
                VerificationEvidence.case_id == case.id,
                VerificationEvidence.kind == "override_proposal",
            )
            .order_by(VerificationEvidence.id)
        ).all()
        proposal = made[-1] if made else None
        if proposal is None or proposal.actor is None:
            raise VerificationFailed(
                f"case {case_id} has no override proposal; a second approver is required"
            )
        if proposal_id is None and len(made) > 1:
            raise VerificationFailed(
                f"case {case_id} has {len(made)} override proposals; name the one "
                "you approve (see `tutela sar show`)"
            )
        if proposal_id is not None and proposal.id != proposal_id:
            raise VerificationFailed(
                f"case {case_id}: the proposal you reviewed was superseded by a "
                "later one; review the case again"
            )
        proposer = proposal.actor
        proposer_id = _staff(store, proposer)
        if proposer_id == approver_id:
            raise VerificationFailed(
                "an override needs a second approver: the proposer cannot approve"
            )
        # Two people, not one person with two accounts (tutela.auth.officers).
        check_independent_approver(
            store, proposer=proposer_id, approver=approver_id, now=moment
        )
        chosen = json.loads(proposal.data or "{}").get("person_id")
        if chosen is not None:
            case.person_ids = json.dumps([int(chosen)])
        _verified(
            change,
            "staff_override",
            Level.high,
            moment,
            actor=staff,
            details={
                "proposer": proposer,
                "approver": staff,
                "proposer_user_id": proposer_id,
                "approver_user_id": approver_id,
            },
        )
    return Outcome(
        case_id, State.verified.value, True, "staff_override", Level.high.name
    )


def _staff(store: Store, actor: str) -> int:
    """The user id of an active privacy officer named by `actor`; refused otherwise."""
    return active_staff(store, actor, roles={Role.privacy_officer})
