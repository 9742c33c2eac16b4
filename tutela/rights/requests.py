"""Requests from the web form and the API, and the repeat rule for every channel.

Clauses: rights.access.request (a request can also come from the web form
or the API, and makes the same kind of case as an e-mail) and
rights.access.verification (nobody learns from the answer whether an
address is known, and nobody is handed a reference someone else was given).

The address typed into the form is not trusted: it only selects whom to
look up, and a code goes to the address on file for that person
(`tutela.rights.matching`, run after the answer).

Repeat rule: the same address asking again on the same channel (the web
form, the API, or mail, which counts the `email` and `smtp` channels as
one) while its case from the last `REPEAT_WINDOW` is still open makes no
new case and sends no mail. A repeat by mail joins that case. A repeat by
form or API is answered with a fresh reference of its own
(`SarCaseRef`), which names the same case for whoever holds it: the
earlier requester's reference is never handed to anyone else.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.config import Settings
from tutela.errors import InvalidInput, NotFound
from tutela.mail.parsing import clean_address
from tutela.rights.cases import (
    MAIL_CHANNELS,
    OPEN,
    Change,
    audit_events,
    new_case,
    new_ref,
)
from tutela.rights.kinds import check_kind
from tutela.rights.matching import match_and_verify
from tutela.rights.request_form import FORM_ADDRESS, RequestDetails
from tutela.store import Store, utcnow
from tutela.store.models import SarCase, SarCaseRef

log = logging.getLogger(__name__)

REPEAT_WINDOW: Final = dt.timedelta(hours=24)
_ATTEMPTS: Final = 3
_FORM_ADDRESS = FORM_ADDRESS


def same_channels(channel: str) -> tuple[str, ...]:
    """The channels a repeat is counted across (mail is one channel)."""
    return MAIL_CHANNELS if channel in MAIL_CHANNELS else (channel,)


def open_repeat(
    session: Session,
    address: str,
    channel: str,
    moment: dt.datetime,
    kind: str = "access",
) -> SarCase | None:
    """This address's open case of this kind from this channel within the window."""
    return session.scalars(
        select(SarCase)
        .where(
            SarCase.requester_address == address,
            SarCase.kind == kind,
            SarCase.channel.in_(same_channels(channel)),
            SarCase.state.in_([str(state) for state in OPEN]),
            SarCase.received_at >= moment - REPEAT_WINDOW,
        )
        .order_by(SarCase.received_at.desc())
        .limit(1)
    ).first()


def note_repeat(session: Session, case: SarCase, channel: str) -> Change:
    """An audited note on the case that a repeat joined it (no mail)."""
    change = Change(session, case)
    change.note(
        "repeat_request", actor="system:support_inbox", details={"channel": channel}
    )
    return change


@dataclass(frozen=True)
class Receipt:
    """The answer to give now, and the work to do after it (None for a repeat)."""

    ref: str
    case_id: int
    follow_up: Callable[[], None] | None


def receive_request(
    store: Store,
    *,
    email: str,
    settings: Settings,
    channel: str = "web",
    now: dt.datetime | None = None,
    kind: str = "access",
    details: RequestDetails | None = None,
) -> Receipt:
    """Open (or, for a repeat, refer to) a case; nobody is looked up yet.

    `kind` is what the request asks for: access, erasure or correction;
    `details` (`tutela.rights.request_form`), when the form or the API gave
    them, say it instead, with the name and the jurisdiction (which sets the
    deadline).
    """
    kind = details.kind if details is not None else check_kind(kind)
    if not _FORM_ADDRESS.fullmatch(email.strip()):
        raise InvalidInput("is not an e-mail address", field="email")
    address = clean_address(email)
    if address is None:
        raise InvalidInput("is not an e-mail address", field="email")
    moment = now or utcnow()
    for attempt in range(_ATTEMPTS):
        try:
            return _receive(store, address, settings, channel, moment, kind, details)
        except sa_exc.OperationalError:
            # SQLite refuses a write whose read snapshot a concurrent writer
            # (the work after an earlier answer) made stale: try again.
            if attempt == _ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _receive(
    store: Store,
    address: str,
    settings: Settings,
    channel: str,
    moment: dt.datetime,
    kind: str = "access",
    details: RequestDetails | None = None,
) -> Receipt:
    pending: list[tuple[int, str, dict[str, object]]] = []
    # The write lock first (SQLite: BEGIN IMMEDIATE, waiting its turn): a read
    # then a write fails at once when another request committed in between.
    with store.writing() as session:
        repeated = open_repeat(session, address, channel, moment, kind)
        if repeated is None:
            case = new_case(
                session,
                kind=kind,
                channel=channel,
                requester_address=address,
                received_at=moment,
                jurisdiction=details.jurisdiction if details else None,
                person_ids=[],
            )
            if details is not None:
                case.requester_name, case.requested = details.name, details.requested
            return _new(store, case.id, case.ref, settings, moment)
        alias = SarCaseRef(ref=new_ref(), case_id=repeated.id, channel=channel)
        session.add(alias)
        change = note_repeat(session, repeated, channel)
        session.flush()
        pending = [(e.id, actor, d) for e, actor, d in change.pending]
        ref, case_id = alias.ref, repeated.id
    audit_events(store, case_id, [], pending)
    log.info("sar.repeat channel=%s case_id=%d", channel, case_id)
    return Receipt(ref, case_id, None)


def _new(
    store: Store, case_id: int, ref: str, settings: Settings, moment: dt.datetime
) -> Receipt:
    def follow_up() -> None:
        match_and_verify(store, case_id, settings=settings, now=moment)

    return Receipt(ref, case_id, follow_up)


def open_request(
    store: Store,
    *,
    email: str,
    settings: Settings,
    channel: str = "web",
    now: dt.datetime | None = None,
    kind: str = "access",
) -> str:
    """A web-form or API request, start to finish; returns the reference given.

    The web routes answer with `receive_request` and run its follow-up after
    the response; this does both at once (CLI, tests, scripts).
    """
    receipt = receive_request(
        store, email=email, settings=settings, channel=channel, now=now, kind=kind
    )
    if receipt.follow_up is not None:
        receipt.follow_up()
    return receipt.ref


def case_id_of(store: Store, given: str) -> int:
    """The case a staff member named: its id ("12") or reference ("SAR-1F4DED2E").

    Mail and pages lead with the reference; `NotFound` names what was given
    back only when it has the shape of one (never free text).
    """
    wanted = given.strip()
    if wanted.isdigit() and len(wanted) <= 18:
        return int(wanted)
    with store.session() as session:
        found = case_id_for_ref(session, wanted)
    if found is None:
        shown = wanted.upper() if re.fullmatch(r"(?i)SAR-[0-9A-F]{8}", wanted) else ""
        raise NotFound(
            f"no case {shown or 'with that id or reference'}; give a case id or a "
            "reference such as SAR-1F4DED2E (`tutela sar list`)"
        )
    return found


def case_id_for_ref(session: Session, ref: str) -> int | None:
    """The case a reference names: its own, or one handed to a repeat request."""
    wanted = ref.strip().upper()
    if not re.fullmatch(r"SAR-[0-9A-F]{8}", wanted):
        return None
    found = session.scalar(select(SarCase.id).where(SarCase.ref == wanted))
    if found is None:
        found = session.scalar(
            select(SarCaseRef.case_id).where(SarCaseRef.ref == wanted)
        )
    return None if found is None else int(found)
