"""Intake: every message to the legal address is stored with its route.

Clauses: rights.access.request ("send an email to legal@jive.com under the
heading 'Subject Access Request'"), changes.subscribe ("Request for Privacy
Policy Updates"), contact.questions (anything else reaches the legal inbox,
which staff read: `tutela.rights.inbox`).

`receive` does, for every message, the same steps whoever sent it: bound
its size (10 MB); parse it (`tutela.mail.parsing`, bounded; a message it
will not read is kept in quarantine with the reason and refused with
`PoisonMessage`); key it by Message-ID (re-ingesting the same message adds
nothing); store the raw bytes sealed by the key ring; route it
(`tutela.rights.headings`). A reply whose In-Reply-To or References names a
message of an existing case joins that case; so does a repeat request from
the same address by mail while its case from the last 24 hours is open
(`tutela.rights.requests`: no new case, no mail). A new access request
opens a case and is acknowledged; nobody is looked up yet. The returned
`Receipt` carries the work for after the answer
(`tutela.rights.matching.match_and_verify`), so neither an SMTP reply nor
an acknowledgement can tell a known address from an unknown one.

Authentication-Results count only from a server we trust
(`tutela.mail.authentication.trusted_ids`: the receiving MTA named by
`Settings.trusted_authserv_id`, and for mail `tutela sar smtp` received,
the listener's own check); a header the sender wrote proves nothing. A
"DMARC pass" below means a trusted DMARC pass for the From domain.

The acknowledgement goes to the From address only: not to a Reply-To, not
when the receiving server's authentication failed (the From is then not a
verified channel), and never to an automatic message (RFC 3834). A general
message gets the inbox's own acknowledgement, at most once a day per
address. A request for policy updates whose DMARC passed subscribes the
address at once; for any other, the From is only a claim: a confirmation
link goes to that address (`tutela.changes.optin.request_subscription`)
and nothing starts until its owner uses it. An "Unsubscribe" message whose
DMARC passed ends that address's policy-update subscription; for any
other, the one-click unsubscribe link is mailed to the subscribed address
(a forged sender cannot end someone else's subscription), and the message
stays flagged for staff. Every mail back to a From address counts against
that address's limit (`tutela.mail.limits`); over it the message is
stored and routed as always, and nothing is mailed.

Poison messages go to quarantine (`tutela.rights.quarantine`, bounded per
run, counted and reported); `intake_path` goes on with the next message.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.audit import record
from tutela.changes import CONFIRM_PATH, mail_unsubscribe_link, request_subscription
from tutela.changes.subscriptions import subscribe, unsubscribe
from tutela.config import Settings
from tutela.errors import InvalidInput
from tutela.mail import (
    UNSUBSCRIBE_PATH,
    AddressLimited,
    AddressLimits,
    count_request,
    trusted_ids,
)
from tutela.mail.mailboxes import MessageTooLarge, check_size, read_messages
from tutela.mail.outbox import enqueue
from tutela.mail.parsing import MalformedMessage, Parsed, html_text, parse
from tutela.rights.cases import (
    Change,
    audit_events,
    new_case,
    person_ids_of,
)
from tutela.rights.headings import Route, inbox_flag, route_of
from tutela.rights.kinds import request_kind
from tutela.rights.matching import match_and_verify, resume
from tutela.rights.notices import acknowledgement, inbox_acknowledgement
from tutela.rights.quarantine import (
    TRANSIENT_ERRORS,
    PoisonMessage,
    QuarantineBudget,
    quarantine,
)
from tutela.rights.requests import (
    REPEAT_WINDOW,
    note_repeat,
    open_repeat,
    open_request,
)
from tutela.store import Store, utcnow
from tutela.store.models import OutboxMessage, RightsMessage, SarCase

__all__ = [
    "IntakeReport",
    "IntakeResult",
    "PoisonMessage",
    "QuarantineBudget",
    "Receipt",
    "TRANSIENT_ERRORS",
    "html_text",
    "intake_message",
    "intake_path",
    "open_request",
    "parse",
    "quarantine",
    "receive",
]

log = logging.getLogger(__name__)

INTAKE_ACTOR: Final = "system:support_inbox"


@dataclass(frozen=True)
class IntakeResult:
    """One message's outcome, as `tutela sar intake --json` prints it."""

    message_id: str
    route: Route
    case_id: int | None
    duplicate: bool = False
    flag: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "route": self.route,
            "case_id": self.case_id,
            "duplicate": self.duplicate,
            "flag": self.flag,
        }


@dataclass
class IntakeReport:
    results: list[IntakeResult] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    quarantined: int = 0
    not_quarantined: int = 0


@dataclass(frozen=True)
class Receipt:
    result: IntakeResult
    follow_up: Callable[[], None] | None = None


def _key(message_id: str) -> str:
    return hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()


def _thread_case(session: Session, refs: list[str]) -> int | None:
    if not refs:
        return None
    found = session.scalar(
        select(RightsMessage.case_id)
        .where(RightsMessage.message_id.in_(refs), RightsMessage.case_id.is_not(None))
        .order_by(RightsMessage.id)
        .limit(1)
    )
    if found is None:
        found = session.scalar(
            select(OutboxMessage.case_id)
            .where(
                OutboxMessage.message_id.in_(refs), OutboxMessage.case_id.is_not(None)
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        )
    return None if found is None else int(found)


def _may_answer(parsed: Parsed) -> bool:
    return (
        bool(parsed.sender) and not parsed.auth_failures and not parsed.auto_submitted
    )


def _within_limit(
    session: Session, address: str, settings: Settings, moment: dt.datetime
) -> bool:
    """Count one mail to `address`; False (send nothing) once it is over its limit."""
    limits = AddressLimits.of(settings)
    return count_request(session, address, limits=limits, now=moment) is None


def _ask_to_confirm(
    session: Session,
    parsed: Parsed,
    settings: Settings,
    channel: str,
    moment: dt.datetime,
    org: str,
) -> None:
    """An unauthenticated request for updates: its From address confirms first."""
    if not parsed.sender or not _may_answer(parsed):
        return  # a failed or automatic sender is not mailed at all
    try:
        request_subscription(
            session,
            address=parsed.sender,
            channel=channel,
            link=settings.public_link(CONFIRM_PATH),
            sender=settings.mail_from,
            org=org,
            now=moment,
            limits=AddressLimits.of(settings),
        )
    except (AddressLimited, InvalidInput) as refused:
        log.info("rights.intake.no_confirmation reason=%s", type(refused).__name__)


def receive(
    store: Store,
    raw: bytes,
    *,
    settings: Settings,
    channel: str = "email",
    where: str = "<message>",
    now: dt.datetime | None = None,
    budget: QuarantineBudget | None = None,
) -> Receipt:
    """Store one message with its route; the same steps for every sender."""
    check_size(raw, where)
    moment = now or utcnow()
    try:
        parsed = parse(raw, where=where, trusted=trusted_ids(settings, channel))
    except MalformedMessage as exc:
        raise quarantine(
            store,
            raw,
            reason=exc.reason,
            where=where,
            channel=channel,
            now=moment,
            budget=budget,
        ) from None
    key = _key(parsed.message_id)
    in_effect = store.policy()
    meaning = in_effect.meaning
    notes: list[tuple[int, list[int], Change]] = []
    follow_up: Callable[[], None] | None = None
    with store.session() as session:
        existing = session.scalars(
            select(RightsMessage).where(RightsMessage.message_key == key)
        ).one_or_none()
        if existing is not None:
            log.info("rights.intake.duplicate message_row=%d", existing.id)
            route = cast(Route, existing.route)
            result = IntakeResult(
                parsed.message_id, route, existing.case_id, True, existing.flag
            )
            return Receipt(result)
        joined = _thread_case(session, parsed.refs)
        kind = request_kind(parsed.subject, parsed.first_lines)
        route = (
            "access_request"
            if joined is not None or kind is not None
            else route_of(
                parsed.subject,
                parsed.first_lines,
                access_heading=meaning.access_request.heading,
                updates_heading=meaning.change_procedure.heading,
            )
        )
        row = RightsMessage(
            message_key=key,
            message_id=parsed.message_id,
            thread_refs=json.dumps(parsed.refs) if parsed.refs else None,
            route=route,
            channel=channel,
            sender_address=parsed.sender,
            subject=parsed.subject,
            raw=base64.b64encode(raw).decode("ascii"),
            size=len(raw),
            auth_failures=",".join(parsed.auth_failures) or None,
            received_at=moment,
        )
        session.add(row)
        session.flush()
        repeat = (
            open_repeat(session, parsed.sender, channel, moment, kind or "access")
            if route == "access_request" and joined is None and parsed.sender
            else None
        )
        if joined is not None or repeat is not None:
            case = repeat or session.get(SarCase, joined)
            assert case is not None
            row.case_id = case.id
            change = (
                note_repeat(session, case, channel)
                if repeat is not None
                else Change(session, case)
            )
            if repeat is None:
                change.note(
                    "message_joined",
                    actor=INTAKE_ACTOR,
                    details={"message_row": row.id},
                )
            notes.append((case.id, person_ids_of(case), change))
        elif route == "access_request":
            follow_up = _open_case(
                session, row, parsed, settings, store, moment, kind or "access"
            )
        elif route == "policy_updates" and parsed.sender and parsed.dmarc_pass:
            subscribe(
                session, address=parsed.sender, verified=True, message_row_id=row.id
            )
        elif route == "policy_updates":
            _ask_to_confirm(
                session, parsed, settings, channel, moment, in_effect.short_name
            )
        elif route == "general":
            _to_inbox(session, row, parsed, settings, moment, in_effect.short_name)
        session.flush()
        pending = [
            (case_id, people, [(e.id, a, d) for e, a, d in change.pending])
            for case_id, people, change in notes
        ]
        result = IntakeResult(parsed.message_id, route, row.case_id, False, row.flag)
        row_id = row.id
        ended = row.flag == "unsubscribe" and row.handled_by is not None
    log.info("rights.intake.stored message_row=%d route=%s", row_id, route)
    for case_id, people, events in pending:
        audit_events(store, case_id, people, events)
    if ended:
        record(
            store,
            actor=INTAKE_ACTOR,
            action="subscription.unsubscribed",
            details={"message_row": row_id},
        )
    return Receipt(result, follow_up)


def _open_case(
    session: Session,
    row: RightsMessage,
    parsed: Parsed,
    settings: Settings,
    store: Store,
    moment: dt.datetime,
    kind: str = "access",
) -> Callable[[], None]:
    case = new_case(
        session,
        kind=kind,
        channel=row.channel,
        requester_address=parsed.sender,
        received_at=moment,
        jurisdiction=None,
        person_ids=[],
        auth_failures=parsed.auth_failures,
    )
    row.case_id = case.id
    if (
        parsed.sender
        and _may_answer(parsed)
        and _within_limit(session, parsed.sender, settings, moment)
    ):
        subject, body = acknowledgement(case.ref, kind=case.kind)
        enqueue(
            session,
            kind="sar_ack",
            to=parsed.sender,
            subject=subject,
            body=body,
            sender=settings.mail_from,
            case_id=case.id,
            in_reply_to=parsed.message_id,
        )
    case_id = case.id

    def follow_up() -> None:
        match_and_verify(store, case_id, settings=settings, now=moment)

    return follow_up


def _to_inbox(
    session: Session,
    row: RightsMessage,
    parsed: Parsed,
    settings: Settings,
    moment: dt.datetime,
    org: str,
) -> None:
    row.flag = inbox_flag(parsed.subject, parsed.first_lines)
    if row.flag == "unsubscribe" and parsed.sender and parsed.dmarc_pass:
        unsubscribe(session, address=parsed.sender)
        row.handled_at, row.handled_by = moment, INTAKE_ACTOR
    elif row.flag == "unsubscribe" and parsed.sender:
        # The sender is not authenticated: the one-click link goes to the
        # subscribed address, whose owner alone can use it.
        mail_unsubscribe_link(
            session,
            address=parsed.sender,
            link=settings.public_link(UNSUBSCRIBE_PATH),
            sender=settings.mail_from,
            org=org,
            now=moment,
            limits=AddressLimits.of(settings),
        )
    if not parsed.sender or not _may_answer(parsed):
        return
    answered = session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.kind == "inbox_ack",
            OutboxMessage.to_address == parsed.sender,
            OutboxMessage.created_at >= moment - REPEAT_WINDOW,
        )
        .limit(1)
    )
    if answered is None and _within_limit(session, parsed.sender, settings, moment):
        subject, body = inbox_acknowledgement()
        enqueue(
            session,
            kind="inbox_ack",
            to=parsed.sender,
            subject=subject,
            body=body,
            sender=settings.mail_from,
            in_reply_to=parsed.message_id,
        )


def intake_message(
    store: Store,
    raw: bytes,
    *,
    settings: Settings,
    channel: str = "email",
    where: str = "<message>",
    now: dt.datetime | None = None,
) -> IntakeResult:
    """`receive` one message and do its follow-up at once (CLI, tests)."""
    receipt = receive(
        store, raw, settings=settings, channel=channel, where=where, now=now
    )
    if receipt.follow_up is not None:
        receipt.follow_up()
    return receipt.result


def intake_path(
    store: Store,
    path: Path,
    *,
    settings: Settings,
    budget: QuarantineBudget | None = None,
) -> IntakeReport:
    """Ingest a message file, mbox or Maildir: one bad message never stops the rest."""
    report = IntakeReport()
    budget = budget or QuarantineBudget()
    for item in read_messages(path):
        if isinstance(item, MessageTooLarge):
            report.rejected.append(item.message)
            continue
        try:
            receipt = receive(
                store, item.data, settings=settings, where=item.where, budget=budget
            )
        except TRANSIENT_ERRORS:
            raise  # the store is failing: stop; a re-run is idempotent
        except InvalidInput as exc:
            report.rejected.append(exc.message)
            continue
        except Exception as exc:  # a bug must not block the messages after it
            log.error("rights.intake.failed error=%s", type(exc).__name__)
            poison = quarantine(
                store,
                item.data,
                reason=f"intake failed ({type(exc).__name__})",
                where=item.where,
                channel="email",
                budget=budget,
            )
            report.rejected.append(poison.message)
            continue
        report.results.append(receipt.result)
        if receipt.follow_up is not None:
            receipt.follow_up()
    resume(store, settings=settings)
    report.quarantined, report.not_quarantined = budget.stored, budget.refused
    return report
