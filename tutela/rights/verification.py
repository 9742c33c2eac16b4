"""Identity verification before anything is released.

Clause: rights.access.verification ("Before Jive processes a request, it may
ask for personal information to verify the subject's identity").

The From header is never trusted. Methods, chosen by `METHODS` for the
request type and its risk (risk is `high` when the receiving server's
DMARC/DKIM/SPF failed, or when the address on file belongs to a closed
account, i.e. a former customer whose address may since have been reused):

- `email_code` (normal risk only): an 8-digit one-time code sent to the
  address ON FILE for the matched people, never to a Reply-To, a new
  address or the From header as typed. Only an HMAC of the code is stored
  (keyed by the field key ring). Single use, expires after 30 minutes,
  5 wrong guesses lock the code, at most 3 codes per case.
- `signed_in`: a customer user signed in and re-authenticated no more than
  5 minutes before the check (`reauthenticated_at` is required).
- `data_points`: for people without an account (e.g. callers): facts only
  the subject knows, matched against what is held. 2 matching points give a
  reasonable degree of certainty; 3 plus a signed declaration a high degree
  (CCPA regulations §7062). Recent calls (counterpart number and time within
  15 minutes, last 90 days) are facts an impostor cannot look up elsewhere.
  A claimed phone number is an identifier, not a data point. One wrong
  point fails the whole attempt; 3 failed attempts lock the method.
- `staff_override`: proposed by one privacy officer with a reason and
  approved by a different one; both must be real, active privacy officers
  (`tutela.secure.staff.active_staff`: a made-up id, a disabled user or
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
import unicodedata
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutela.changes.outbox import enqueue
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput
from tutela.rights import _people
from tutela.rights.cases import (
    Change,
    State,
    aware,
    changing,
    person_ids_of,
)
from tutela.rights.notices import code_message
from tutela.secure.roles import Role
from tutela.secure.staff import active_staff
from tutela.store.db import Store
from tutela.store.keys import KeyRing
from tutela.store.models import VerificationChallenge, VerificationEvidence
from tutela.store.types import utcnow
from tutela.use import Actor

CODE_DIGITS = 8
CODE_TTL = dt.timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
MAX_CODES_PER_CASE = 3
REAUTH_MAX_AGE = dt.timedelta(minutes=5)
CALL_WINDOW = dt.timedelta(days=90)
CALL_TOLERANCE = dt.timedelta(minutes=15)
MAX_DATA_POINT_ATTEMPTS = 3
MAX_POINTS = 6

LEVEL_REASONABLE = "reasonable"
LEVEL_HIGH = "high"

# (request type, risk) -> methods that may verify it and the level each gives.
METHODS: dict[tuple[str, str], dict[str, str]] = {
    ("access", "normal"): {
        "email_code": LEVEL_REASONABLE,
        "signed_in": LEVEL_HIGH,
        "data_points": LEVEL_REASONABLE,
        "staff_override": LEVEL_HIGH,
    },
    ("access", "high"): {
        "signed_in": LEVEL_HIGH,
        "data_points": LEVEL_HIGH,
        "staff_override": LEVEL_HIGH,
    },
}
POINT_KINDS = frozenset({"name", "postal_code", "account_ref", "recent_call"})


class VerificationFailed(Forbidden):
    """The requester did not prove who they are; nothing is released."""

    exit_code = 1


@dataclass(frozen=True)
class DataPoint:
    """One fact a requester offers: `kind` in POINT_KINDS; calls carry `at`."""

    kind: str
    value: str
    at: dt.datetime | None = None


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
    if state not in (State.received, State.verifying):
        raise Conflict(f"case {case_id} is {state}; verification is over")
    on_file = _people.people_by_id(store, person_ids) if person_ids else []
    targets = sorted(
        {p.email.strip().lower() for p in on_file if p.email and p.account_active}
    )
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
                    expires_at=moment + CODE_TTL,
                    attempts=0,
                    max_attempts=CODE_MAX_ATTEMPTS,
                )
            )
            subject, body = code_message(case.ref, code, CODE_TTL)
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


def submit_code(
    store: Store, case_id: int, code: str, *, now: dt.datetime | None = None
) -> Outcome:
    """Check a one-time code; `VerificationFailed` when wrong, expired or locked."""
    moment = now or utcnow()
    failure: str | None = None
    with changing(store, case_id) as change:
        case = change.case
        level = _require("email_code", case.risk)
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
        else:
            challenge.used_at = moment
            challenge.code_hash = None
            _verified(change, "email_code", level, moment, actor="system:support_inbox")
    if failure is not None:
        raise VerificationFailed(f"case {case_id}: {failure}")
    return Outcome(case_id, State.verified.value, True, "email_code")


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


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _e164(text: str) -> str:
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            "is not a phone number in international form", field="phone"
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput("is not a possible phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def submit_data_points(
    store: Store,
    case_id: int,
    points: list[DataPoint],
    *,
    phone: str | None = None,
    declaration: bool = False,
    now: dt.datetime | None = None,
) -> Outcome:
    """Match data points against what is held; `VerificationFailed` if short."""
    moment = now or utcnow()
    if not points or len(points) > MAX_POINTS:
        raise InvalidInput(
            f"give between 1 and {MAX_POINTS} data points", field="points"
        )
    for point in points:
        if point.kind not in POINT_KINDS:
            raise InvalidInput(
                f"unknown data point; use {sorted(POINT_KINDS)}", field="kind"
            )
        if point.kind == "recent_call" and point.at is None:
            raise InvalidInput("a recent call needs its time", field="at")
    claimed = _e164(phone) if phone else None
    with changing(store, case_id) as change:
        case = change.case
        if case.failed_attempts >= MAX_DATA_POINT_ATTEMPTS:
            raise VerificationFailed(
                f"case {case_id} is locked after failed attempts; a staff override is needed"
            )
        if State(case.state) not in (State.received, State.verifying):
            raise Conflict(f"case {case_id} is {case.state}; verification is over")
        person_ids = person_ids_of(case)
        risk = case.risk
        claimed = claimed or case.subject_e164
    on_file = _people.people_by_id(store, person_ids) if person_ids else []
    if claimed and not person_ids:
        on_file = _people.people_with_phone(store, claimed)
    calls = (
        _people.recent_calls(store, claimed, since=moment - CALL_WINDOW)
        if claimed
        else []
    )
    results = _match(points, on_file, calls)
    matched = sum(1 for ok in results if ok)
    all_match = all(results)
    required = 3 if risk == "high" else 2
    level = LEVEL_HIGH if matched >= 3 and declaration else LEVEL_REASONABLE
    enough = all_match and matched >= required and (risk != "high" or declaration)
    failure: str | None = None
    with changing(store, case_id) as change:
        case = change.case
        if claimed and case.subject_e164 is None:
            case.subject_e164 = claimed
        for point, ok in zip(points, results, strict=True):
            change.session.add(
                VerificationEvidence(
                    case_id=case.id,
                    kind=point.kind,
                    data=json.dumps(
                        {
                            "value": point.value,
                            "at": point.at.isoformat() if point.at else None,
                        }
                    ),
                    matched=ok,
                )
            )
        if declaration:
            change.session.add(
                VerificationEvidence(
                    case_id=case.id,
                    kind="declaration",
                    data='{"signed": true}',
                    matched=True,
                )
            )
        if State(case.state) is State.received:
            change.move(State.verifying, actor="system:support_inbox")
        if not enough:
            case.failed_attempts += 1
            change.note(
                "data_points_failed",
                actor="system:support_inbox",
                details={
                    "matched": matched,
                    "given": len(points),
                    "required": required,
                },
            )
            failure = (
                f"the data points do not establish identity ({required} matching "
                "points"
                + (" and a signed declaration" if risk == "high" else "")
                + " are needed)"
            )
        else:
            _require("data_points", risk)
            if not person_ids and on_file:
                case.person_ids = json.dumps(sorted(p.person_id for p in on_file))
            _verified(
                change,
                "data_points",
                level,
                moment,
                actor="system:support_inbox",
                details={"matched": matched},
            )
    if failure is not None:
        raise VerificationFailed(f"case {case_id}: {failure}")
    return Outcome(case_id, State.verified.value, True, "data_points")


def _match(
    points: list[DataPoint],
    on_file: list[_people.OnFile],
    calls: list[tuple[str, dt.datetime]],
) -> list[bool]:
    used_calls: set[int] = set()
    out: list[bool] = []
    for point in points:
        ok = False
        if point.kind == "name":
            ok = any(_fold(p.name) == _fold(point.value) for p in on_file)
        elif point.kind == "postal_code":
            want = "".join(point.value.split()).upper()
            ok = any(
                p.postal_code and "".join(p.postal_code.split()).upper() == want
                for p in on_file
            )
        elif point.kind == "account_ref":
            ok = any(p.account_ref == point.value.strip() for p in on_file)
        elif point.kind == "recent_call" and point.at is not None:
            try:
                other = _e164(point.value)
            except InvalidInput:
                other = ""
            at = aware(point.at)
            assert at is not None
            for index, (counterpart, started) in enumerate(calls):
                if index in used_calls:
                    continue
                if counterpart == other and abs(started - at) <= CALL_TOLERANCE:
                    used_calls.add(index)
                    ok = True
                    break
        out.append(ok)
    return out


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
    count), and they must be two distinct users.
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
