"""Identity verification before anything is released.

Clause: rights.access.verification ("Before Jive processes a request, it may
ask for personal information to verify the subject's identity").

The From header is never trusted. A right code makes the people who hold
the address or number it reached TODAY the case's subjects
(`tutela.rights._settle`), never a former holder. Methods, chosen by
`METHODS` for the request type and its risk (risk is `high` when the receiving server's
DMARC/DKIM/SPF failed, or when the address on file belongs to a closed
account, i.e. a former customer whose address may since have been reused):

- `email_code` (normal risk only): an 8-digit one-time code sent to the
  address ON FILE for the matched people, never to a Reply-To, a new
  address or the From header as typed (a requester who is no customer
  contact but whose address is on file, e.g. a subscriber, gets it there).
  Only an HMAC of the code is stored (keyed by the field key ring). Single
  use, expires after 30 minutes, 5 wrong guesses lock the code, at most
  3 codes per case.
- `phone_code`: a code staff read out on a call TO a number (a call-back):
  whoever answers holds the line today.
- `signed_in`: a customer user signed in and re-authenticated no more than
  5 minutes before the check (`reauthenticated_at` is required).
- `data_points` (normal risk only; `tutela.rights._evidence`): the claimed
  phone must be a line the subject holds today on proven evidence (assigned
  or verified, never a typed contact phone); only calls PLACED from it,
  through its own account, while it was theirs and in the last 90 days,
  count. 2 of them give a reasonable degree of certainty; 3 plus a signed
  declaration a high degree (CCPA regulations §7062). Name, postal code and
  account number are publicly knowable: weak, never counted. One wrong
  point fails the whole attempt; 3 failed attempts lock the method.
- `staff_override`: proposed by one privacy officer with a reason and
  approved by a different one; both must be real, active privacy officers
  (`tutela.auth.staff.active_staff`: a made-up id, a disabled user or
  another role is refused), and both user ids go to the audit log.

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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutela.access import Actor
from tutela.access.roles import Role
from tutela.auth.staff import active_staff
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput, NotFound
from tutela.mail.outbox import enqueue
from tutela.rights import _people, _settle
from tutela.rights._evidence import (
    DataPoint as DataPoint,
)
from tutela.rights._evidence import (
    PlacedCall,
    check_points,
    knowledge_matched,
    match_points,
    parse_e164,
)
from tutela.rights.cases import (
    Change,
    State,
    aware,
    changing,
    person_ids_of,
)
from tutela.rights.notices import code_message
from tutela.store import KeyRing, Store, utcnow
from tutela.store.models import SarCase, VerificationChallenge, VerificationEvidence

CODE_DIGITS = 8
CODE_TTL = dt.timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
MAX_CODES_PER_CASE = 3
REAUTH_MAX_AGE = dt.timedelta(minutes=5)
CALL_WINDOW = dt.timedelta(days=90)
MAX_DATA_POINT_ATTEMPTS = 3
REQUIRED_KNOWLEDGE_POINTS = 2
MAX_POINTS = 6

LEVEL_REASONABLE = "reasonable"
LEVEL_HIGH = "high"

# (request type, risk) -> methods that may verify it and the level each gives.
METHODS: dict[tuple[str, str], dict[str, str]] = {
    ("access", "normal"): {
        "email_code": LEVEL_REASONABLE,
        "phone_code": LEVEL_REASONABLE,
        "signed_in": LEVEL_HIGH,
        "data_points": LEVEL_REASONABLE,
        "staff_override": LEVEL_HIGH,
    },
    # A high-risk case needs a strong factor: data points alone never do.
    ("access", "high"): {
        "phone_code": LEVEL_HIGH,
        "signed_in": LEVEL_HIGH,
        "staff_override": LEVEL_HIGH,
    },
}


class VerificationFailed(Forbidden):
    """The requester did not prove who they are; nothing is released."""

    exit_code = 1


@dataclass(frozen=True)
class Outcome:
    case_id: int
    state: str
    verified: bool
    detail: str


def methods_for(risk: str, request_type: str = "access") -> dict[str, str]:
    return METHODS[(request_type, risk)]


def _require(method: str, risk: str) -> str:
    allowed = methods_for(risk)
    if method not in allowed:
        raise VerificationFailed(
            f"verification by {method} is not accepted for a {risk}-risk request; "
            f"use one of {sorted(allowed)}"
        )
    return allowed[method]


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

    The code goes to the e-mail address held for the matched people, never
    to an address taken from the request. Whether a code was sent is not
    told to the requester (the acknowledgement is the same either way).
    """
    moment = now or utcnow()
    with changing(store, case_id) as change:
        case = change.case
        person_ids = person_ids_of(case)
        risk = case.risk
        state = State(case.state)
        requester = case.requester_address
    if state not in (State.received, State.verifying):
        raise Conflict(f"case {case_id} is {state}; verification is over")
    on_file = _people.people_by_id(store, person_ids) if person_ids else []
    targets = sorted(
        {p.email.strip().lower() for p in on_file if p.email and p.account_active}
    )
    if not person_ids and requester and risk == "normal":
        # Not a customer contact, but on file all the same (a subscriber, an
        # earlier requester, someone named in a message): the address is the
        # subject, so a code to it is a code to the address on file.
        if _people.address_on_file(store, requester, case_id=case_id):
            targets = [requester.strip().lower()]
    send = "email_code" in methods_for(risk) and bool(targets)
    detail = "code_sent" if send else "awaiting_other_method"
    with changing(store, case_id) as change:
        case = change.case
        if State(case.state) is State.received:
            change.move(State.verifying, actor=actor, details={"method": detail})
        if send:
            issued = codes_issued(change.session, case.id)
            if issued >= MAX_CODES_PER_CASE:
                raise VerificationFailed(
                    f"case {case_id} has had {issued} codes; verify another way"
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
            for address in targets:
                enqueue(
                    change.session,
                    kind="sar_code",
                    to=address,
                    subject=subject,
                    body=body,
                    sender=settings.mail_from,
                    case_id=case.id,
                )
            change.note(
                "code_issued", actor=actor, details={"recipients": len(targets)}
            )
        return Outcome(case_id, change.case.state, False, detail)


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


def send_phone_code(
    store: Store,
    case_id: int,
    phone: str,
    *,
    staff: str,
    now: dt.datetime | None = None,
) -> tuple[Outcome, str]:
    """A one-time code for staff to read out on a call TO `phone` (a call-back).

    Whoever answers that number holds it today: the code proves control of
    the line, where caller ID and call history can be forged or overheard.
    Returns the outcome and the code (shown to the staff member once; only
    its keyed hash is stored). Refused for a customer's line that no one
    person holds (the customer answers for it).
    """
    _staff(store, staff)
    moment = now or utcnow()
    number = parse_e164(phone)
    settled = _settle.by_number(store, number, at=moment)
    if settled.refusal is not None:
        raise VerificationFailed(f"case {case_id}: {settled.refusal}")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with changing(store, case_id) as change:
        case = change.case
        _require("phone_code", case.risk)
        if State(case.state) not in (State.received, State.verifying):
            raise Conflict(f"case {case_id} is {case.state}; verification is over")
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
            )
        )
        if State(case.state) is State.received:
            change.move(State.verifying, actor=staff)
        change.note("code_issued", actor=staff, details={"channel": "phone"})
        state = case.state
    return Outcome(case_id, state, False, "phone_code_issued"), code


def _pending_code(store: Store, case_id: int, moment: dt.datetime) -> _settle.Settled:
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
    if channel == "phone" and number:
        return _settle.by_number(store, number, at=moment)
    if address:
        return _settle.by_address(store, address, person_ids)
    return _settle.Settled([], refusal="the case has no address a code could reach")


def submit_code(
    store: Store, case_id: int, code: str, *, now: dt.datetime | None = None
) -> Outcome:
    """Check a one-time code; `VerificationFailed` when wrong, expired or locked.

    A right code makes the holders of the address (or number) it reached the
    case's subjects: people who hold it today, never a former holder.
    """
    moment = now or utcnow()
    settled = _pending_code(store, case_id, moment)
    failure: str | None = None
    method = "email_code"
    with changing(store, case_id) as change:
        case = change.case
        if State(case.state) is not State.verifying:
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
        level = _require(method, case.risk)
        if challenge is None or challenge.code_hash is None:
            failure = "no code is outstanding for this case; request a new one"
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
                actor="system:support_inbox",
                details={"attempts": challenge.attempts},
            )
            failure = "the code is wrong" + (" and is now locked" if locked else "")
        elif settled.refusal is not None:
            failure = settled.refusal
        else:
            challenge.used_at = moment
            challenge.code_hash = None
            case.person_ids = json.dumps(settled.person_ids)
            case.subject_number = settled.number
            case.subject_since = settled.since
            _verified(change, method, level, moment, actor="system:support_inbox")
    if failure is not None:
        raise VerificationFailed(f"case {case_id}: {failure}")
    return Outcome(case_id, State.verified.value, True, method)


def _verified(
    change: Change,
    method: str,
    level: str,
    moment: dt.datetime,
    *,
    actor: str,
    details: dict[str, object] | None = None,
) -> None:
    case = change.case
    case.verification_method = method
    case.verification_level = level
    case.verified_at = moment
    change.move(
        State.verified,
        actor=actor,
        details={"method": method, "level": level, **(details or {})},
    )


# ------------------------------------------------------------ signed-in users


def verify_signed_in(
    store: Store,
    case_id: int,
    *,
    person_id: int,
    account_id: int,
    reauthenticated_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> Outcome:
    """A signed-in customer user who re-authenticated within the last 5 minutes."""
    moment = now or utcnow()
    actor = Actor.customer(person_id, account_id)
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
        level = _require("signed_in", case.risk)
        linked = person_ids_of(case)
        if linked and person_id not in linked:
            raise VerificationFailed(
                f"case {case_id} concerns someone other than the signed-in user"
            )
        if not linked:
            case.person_ids = json.dumps([person_id])
        if State(case.state) is State.received:
            change.move(State.verifying, actor=actor.id)
        _verified(change, "signed_in", level, moment, actor=actor.id)
    return Outcome(case_id, State.verified.value, True, "signed_in")


# ------------------------------------------------------------ data points


def submit_data_points(
    store: Store,
    case_id: int,
    points: list[DataPoint],
    *,
    phone: str | None = None,
    declaration: bool = False,
    now: dt.datetime | None = None,
) -> Outcome:
    """Match data points against what is held; `VerificationFailed` if short.

    The claimed `phone` must be a line the subject holds today on proven
    evidence (assigned by the provider or verified), never a contact phone
    someone typed; when the case already names people, it must be one of
    theirs. Only calls that line placed through its own account, while it
    was theirs and within `CALL_WINDOW`, are matched; weak points never
    count. A high-risk case is never verified by data points.
    """
    moment = now or utcnow()
    check_points(points, most=MAX_POINTS)
    claimed = parse_e164(phone) if phone else None
    with changing(store, case_id) as change:
        case = change.case
        if case.failed_attempts >= MAX_DATA_POINT_ATTEMPTS:
            raise VerificationFailed(
                f"case {case_id} is locked after failed attempts; a staff override is needed"
            )
        if State(case.state) not in (State.received, State.verifying):
            raise Conflict(f"case {case_id} is {case.state}; verification is over")
        _require("data_points", case.risk)
        person_ids = person_ids_of(case)
        claimed = claimed or case.subject_e164
    lines = _people.proven_lines(store, claimed, at=moment) if claimed else []
    if person_ids:
        lines = [line for line in lines if line.person.person_id in person_ids]
    calls = [
        PlacedCall(called, started, line.person.person_id)
        for line in lines
        for called, started in _people.calls_placed(
            store,
            line.number,
            account_id=line.account_id,
            since=max(line.since, moment - CALL_WINDOW),
            until=moment,
        )
    ]
    holders = [line.person for line in lines]
    results = match_points(points, holders, calls)
    known = knowledge_matched(points, results)
    enough = all(results) and known >= REQUIRED_KNOWLEDGE_POINTS
    level = LEVEL_HIGH if known >= 3 and declaration else LEVEL_REASONABLE
    failure: str | None = None
    with changing(store, case_id) as change:
        case = change.case
        if claimed and case.subject_e164 is None:
            case.subject_e164 = claimed
        _keep_evidence(change, points, results, declaration)
        if State(case.state) is State.received:
            change.move(State.verifying, actor="system:support_inbox")
        if not enough:
            case.failed_attempts += 1
            change.note(
                "data_points_failed",
                actor="system:support_inbox",
                details={
                    "matched": known,
                    "given": len(points),
                    "required": REQUIRED_KNOWLEDGE_POINTS,
                },
            )
            failure = (
                f"the data points do not establish identity ({REQUIRED_KNOWLEDGE_POINTS} "
                "calls placed from a line the subject holds are needed; a name, "
                "address or account number never counts)"
            )
        else:
            case.person_ids = json.dumps(sorted({p.person_id for p in holders}))
            _verified(
                change,
                "data_points",
                level,
                moment,
                actor="system:support_inbox",
                details={"matched": known},
            )
    if failure is not None:
        raise VerificationFailed(f"case {case_id}: {failure}")
    return Outcome(case_id, State.verified.value, True, "data_points")


def _keep_evidence(
    change: Change, points: list[DataPoint], results: list[bool], declaration: bool
) -> None:
    for point, ok in zip(points, results, strict=True):
        data = {"value": point.value, "at": point.at.isoformat() if point.at else None}
        change.session.add(
            VerificationEvidence(
                case_id=change.case.id,
                kind=point.kind,
                data=json.dumps(data),
                matched=ok,
            )
        )
    if declaration:
        change.session.add(
            VerificationEvidence(
                case_id=change.case.id,
                kind="declaration",
                data='{"signed": true}',
                matched=True,
            )
        )


# ------------------------------------------------------------ staff override


def propose_override(store: Store, case_id: int, *, staff: str, reason: str) -> Outcome:
    """First half of a staff override: a real privacy officer proposes, with a reason.

    `staff` is the proposer's actor id ('staff:<user id>'); it must name an
    active privacy officer (`StaffRefused` otherwise).
    """
    proposer_id = _staff(store, staff)
    if not reason.strip():
        raise InvalidInput("an override needs a reason", field="reason")
    with changing(store, case_id) as change:
        case = change.case
        if State(case.state) not in (State.received, State.verifying):
            raise Conflict(f"case {case_id} is {case.state}; verification is over")
        change.session.add(
            VerificationEvidence(
                case_id=case.id,
                kind="override_proposal",
                data=json.dumps({"reason": reason[:300]}),
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


def approve_override(
    store: Store, case_id: int, *, staff: str, now: dt.datetime | None = None
) -> Outcome:
    """Second half: a DIFFERENT real privacy officer approves; the case is verified.

    Both the approver and the proposer must be active privacy officers at
    the moment of approval (a proposal by someone since disabled does not
    count), and they must be two distinct users, and two people: neither
    administered the other, and the approver is past a new officer's first
    days (`tutela.auth.check_independent_approver`, `NotIndependent`).
    """
    approver_id = _staff(store, staff)
    moment = now or utcnow()
    with changing(store, case_id) as change:
        case = change.case
        level = _require("staff_override", case.risk)
        proposal = change.session.scalars(
            select(VerificationEvidence)
            .where(
                VerificationEvidence.case_id == case.id,
                VerificationEvidence.kind == "override_proposal",
            )
            .order_by(VerificationEvidence.id.desc())
            .limit(1)
        ).one_or_none()
        if proposal is None or proposal.actor is None:
            raise VerificationFailed(
                f"case {case_id} has no override proposal; a second approver is required"
            )
        proposer = proposal.actor
        proposer_id = _staff(store, proposer)
        if proposer_id == approver_id:
            raise VerificationFailed(
                "an override needs a second approver: the proposer cannot approve"
            )
        # Two people, not one person with two accounts (issue 19: tutela.auth.officers).
        from tutela.auth import check_independent_approver

        check_independent_approver(
            store, proposer=proposer_id, approver=approver_id, now=moment
        )
        _verified(
            change,
            "staff_override",
            level,
            moment,
            actor=staff,
            details={
                "proposer": proposer,
                "approver": staff,
                "proposer_user_id": proposer_id,
                "approver_user_id": approver_id,
            },
        )
    return Outcome(case_id, State.verified.value, True, "staff_override")


def _staff(store: Store, actor: str) -> int:
    """The user id of an active privacy officer named by `actor`; refused otherwise."""
    return active_staff(store, actor, roles={Role.privacy_officer})
