"""The legal inbox: the mail no heading sent anywhere, read and acted on by staff.

Clauses: contact.questions (questions to the legal address reach people
who answer them), rights.access.request (a request for access in other
words is still a request, and its deadline runs from its arrival),
changes.subscribe (a request for policy updates, or to stop them).

Every message routed `general` is here: questions, near-miss headings
(flagged `probable_access`, listed first with the deadline that already
runs: the strict rule, 30 days from arrival, until a case knows better),
unsubscribe requests (`unsubscribe`; ended at intake when DMARC passed,
otherwise waiting for staff) and poison messages (`quarantined`, with the
reason they were refused). Staff read it through the purpose gate
(`tutela.access.access`, purpose `respond_to_requests`), so every read is
audited, and act on a message with `route_message`:

- `access`: open an access request whose deadline counts from when the
  mail arrived; acknowledged with its reference (within the address's
  mail limit, `tutela.mail.limits`), then verified as usual;
- `subscription`: subscribe the sender to policy updates when a trusted
  DMARC result passed for the From domain (`tutela.mail.authentication`);
  otherwise the From is only a claim, and a confirmation link goes to it
  (`tutela.changes.optin.request_subscription`): staff cannot tell a forged
  From either;
- `unsubscribe`: end the sender's subscription when DMARC passed the same
  way; otherwise the one-click link goes to the subscribed address, whose
  owner alone can use it;
- `general`: nothing more to do (the message is marked handled).

Each action is audited (`inbox.routed`) with the staff member's id.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.access import Actor, access
from tutela.audit import record
from tutela.changes import (
    CONFIRM_PATH,
    mail_unsubscribe_link,
    request_subscription,
)
from tutela.changes.subscriptions import subscribe, unsubscribe
from tutela.config import Settings
from tutela.errors import Conflict, InvalidInput, NotFound
from tutela.mail import UNSUBSCRIBE_PATH, AddressLimits, count_request, trusted_ids
from tutela.mail.outbox import enqueue
from tutela.mail.parsing import MalformedMessage, body_text, parse
from tutela.rights.cases import new_case
from tutela.rights.deadlines import rule_for, status_of
from tutela.rights.matching import match_and_verify
from tutela.rights.notices import acknowledgement
from tutela.store import Store, utc_aware, utcnow
from tutela.store.models import RightsMessage

PURPOSE: Final = "respond_to_requests"
Target = Literal[
    "access", "erasure", "correction", "subscription", "unsubscribe", "general"
]
TARGETS: Final = get_args(Target)
_FLAG_ORDER = {"probable_access": 0, "unsubscribe": 1, "quarantined": 2}
_COLUMNS = (
    RightsMessage.id,
    RightsMessage.received_at,
    RightsMessage.channel,
    RightsMessage.flag,
    RightsMessage.problem,
    RightsMessage.sender_address,
    RightsMessage.subject,
    RightsMessage.auth_failures,
    RightsMessage.handled_at,
    RightsMessage.handled_by,
    RightsMessage.size,
)


@dataclass(frozen=True)
class InboxItem:
    """One message of the legal inbox as staff see it."""

    id: int
    received_at: dt.datetime
    channel: str
    flag: str | None
    problem: str | None
    sender: str | None
    subject: str | None
    auth_failures: list[str]
    handled_at: dt.datetime | None
    handled_by: str | None
    size: int
    due: dt.datetime | None
    due_status: str | None
    text: str | None = field(default=None)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _item(
    row: tuple[object, ...], now: dt.datetime, text: str | None = None
) -> InboxItem:
    (ident, received, channel, flag, problem, sender, subject, failures) = row[:8]
    handled_at, handled_by, size = row[8:11]
    arrived = utc_aware(received)  # type: ignore[arg-type]
    due = rule_for(None).respond_by(arrived) if flag == "probable_access" else None
    done = None if handled_at is None else utc_aware(handled_at)  # type: ignore[arg-type]
    return InboxItem(
        id=int(ident),  # type: ignore[call-overload]
        received_at=arrived,
        channel=str(channel),
        flag=None if flag is None else str(flag),
        problem=None if problem is None else str(problem),
        sender=None if sender is None else str(sender),
        subject=None if subject is None else str(subject),
        auth_failures=str(failures).split(",") if failures else [],
        handled_at=done,
        handled_by=None if handled_by is None else str(handled_by),
        size=int(size),  # type: ignore[call-overload]
        due=due,
        due_status=status_of(due, now) if due is not None and done is None else None,
        text=text,
    )


def list_inbox(
    store: Store,
    *,
    actor: Actor,
    include_handled: bool = False,
    quarantined: bool = False,
    now: dt.datetime | None = None,
) -> list[InboxItem]:
    """General messages, probable access requests first (by deadline), then by arrival."""
    where = [RightsMessage.route == "general", RightsMessage.case_id.is_(None)]
    if not include_handled:
        where.append(RightsMessage.handled_at.is_(None))
    if quarantined:
        where.append(RightsMessage.flag == "quarantined")
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(*_COLUMNS, where=where, order_by=[RightsMessage.id])
    moment = now or utcnow()
    items = [_item(row, moment) for row in rows]
    items.sort(key=lambda i: (_FLAG_ORDER.get(i.flag or "", 3), i.received_at, i.id))
    return items


def _general_row(use_rows: list[RightsMessage], message_id: int) -> RightsMessage:
    if not use_rows or use_rows[0].route != "general" or use_rows[0].case_id:
        raise NotFound(
            f"message {message_id} is not in the legal inbox; see `tutela inbox list`"
        )
    return use_rows[0]


def show_message(
    store: Store, message_id: int, *, actor: Actor, now: dt.datetime | None = None
) -> InboxItem:
    """One message with its text (a quarantined one: its reason, never parsed)."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        row = _general_row(
            use.select(RightsMessage, RightsMessage.id == message_id), message_id
        )
        raw = base64.b64decode(row.raw)
        values = tuple(getattr(row, c.key) for c in _COLUMNS)
    text = None
    if row.flag != "quarantined":
        try:
            text = body_text(raw)
        except MalformedMessage:
            text = None
    return _item(values, now or utcnow(), text)


@dataclass(frozen=True)
class RouteOutcome:
    message_id: int
    to: str
    case_id: int | None = None
    case_ref: str | None = None
    subscribed: bool = False
    ended: int = 0
    # The sender was not authenticated: a link went to the address instead.
    link_mailed: bool = False

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def route_message(
    store: Store,
    message_id: int,
    *,
    to: str,
    actor: Actor,
    settings: Settings,
    now: dt.datetime | None = None,
) -> RouteOutcome:
    """Act on one inbox message (see the module docstring); audited."""
    if to not in TARGETS:
        raise InvalidInput(f"choose one of {', '.join(TARGETS)}", field="to")
    moment = now or utcnow()
    with access(store, actor=actor, purpose=PURPOSE) as use:
        found = use.select(RightsMessage, RightsMessage.id == message_id)
        seen = _general_row(found, message_id)
        if seen.flag == "quarantined" and to != "general":
            raise Conflict(
                f"message {message_id} is in quarantine ({seen.problem}); it can "
                "only be marked handled"
            )
        if to != "general" and not seen.sender_address:
            raise Conflict(f"message {message_id} has no usable sender address")
    org = store.policy().short_name
    with store.session() as session:
        row = _general_row(
            list(
                session.scalars(
                    select(RightsMessage)
                    .where(RightsMessage.id == message_id)
                    .with_for_update()
                )
            ),
            message_id,
        )
        outcome = _apply(session, row, to, actor, settings, moment, org)
    record(
        store,
        actor=actor.id,
        action="inbox.routed",
        purpose=PURPOSE,
        details={"message_row": message_id, "to": to, "case_id": outcome.case_id},
    )
    if outcome.case_id is not None:
        match_and_verify(store, outcome.case_id, settings=settings, now=moment)
    return outcome


def _apply(
    session: Session,
    row: RightsMessage,
    to: str,
    actor: Actor,
    settings: Settings,
    moment: dt.datetime,
    org: str,
) -> RouteOutcome:
    address = row.sender_address or ""
    row.handled_at, row.handled_by = moment, actor.id
    if to == "general":
        return RouteOutcome(row.id, to)
    limits = AddressLimits.of(settings)
    authenticated = False
    if to in ("unsubscribe", "subscription"):
        try:
            trusted = trusted_ids(settings, row.channel)
            authenticated = parse(base64.b64decode(row.raw), trusted=trusted).dmarc_pass
        except MalformedMessage:
            authenticated = False
    if to == "unsubscribe" and authenticated:
        return RouteOutcome(row.id, to, ended=unsubscribe(session, address=address))
    if to == "unsubscribe":
        mail_unsubscribe_link(
            session,
            address=address,
            link=settings.public_link(UNSUBSCRIBE_PATH),
            sender=settings.mail_from,
            org=org,
            now=moment,
            limits=limits,
        )
        return RouteOutcome(row.id, to, link_mailed=True)
    if to == "subscription":
        row.route = "policy_updates"
        if authenticated:
            subscribe(session, address=address, verified=True, message_row_id=row.id)
            return RouteOutcome(row.id, to, subscribed=True)
        request_subscription(
            session,
            address=address,
            channel=row.channel,
            link=settings.public_link(CONFIRM_PATH),
            sender=settings.mail_from,
            org=org,
            now=moment,
            limits=limits,
        )
        return RouteOutcome(row.id, to, link_mailed=True)
    failures = row.auth_failures.split(",") if row.auth_failures else []
    case = new_case(
        session,
        kind=to if to in ("erasure", "correction") else "access",
        channel=row.channel,
        requester_address=address,
        received_at=utc_aware(row.received_at),
        jurisdiction=None,
        person_ids=[],
        auth_failures=failures,
    )
    row.route, row.case_id = "access_request", case.id
    if (
        not failures
        and count_request(session, address, limits=limits, now=moment) is None
    ):
        subject, body = acknowledgement(case.ref, kind=case.kind)
        enqueue(
            session,
            kind="sar_ack",
            to=address,
            subject=subject,
            body=body,
            sender=settings.mail_from,
            case_id=case.id,
            in_reply_to=row.message_id,
        )
    return RouteOutcome(row.id, to, case_id=case.id, case_ref=case.ref)
