"""Intake: every message to the legal address is stored with its route.

Clauses: rights.access.request ("send an email to legal@jive.com under the
heading 'Subject Access Request'"), changes.subscribe ("Request for Privacy
Policy Updates"), contact.questions (anything else reaches the general legal
inbox).

For each message: bound its size (10 MB); parse it with the standard
`email` package (`policy.default`, which decodes RFC 2047 words); key it by
Message-ID (re-ingesting the same message adds nothing; a message without
one is keyed by a hash of its bytes); store the raw bytes sealed by the
key ring; route it (`tutela.rights.headings`). A reply whose In-Reply-To or
References names a message of an existing case joins that case. A new
access request opens a case, is acknowledged (the same words for known and
unknown requesters) and verification starts (`tutela.rights.verification`).

Authentication-Results: only the topmost header counts: it is the one our
receiving server adds (configure the MTA to strip such headers arriving from
outside, RFC 8601 §5). A `fail` (or SPF `softfail`) for DMARC, DKIM or SPF
is recorded on the message and the case and makes the case high risk; the
acknowledgement is then not sent, because the From address is not a
verified channel. The acknowledgement never goes to a Reply-To address.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Final, cast

from sqlalchemy import select

from tutela.changes.outbox import enqueue
from tutela.changes.subscriptions import subscribe
from tutela.collect.accounts import normalize_email
from tutela.config import Settings
from tutela.errors import InvalidInput
from tutela.policy.loader import load_policy_cached
from tutela.rights import _people, verification
from tutela.rights.cases import OPEN, audit_events, changing, new_case
from tutela.rights.headings import Route, route_of
from tutela.rights.mailboxes import MessageTooLarge, check_size, read_messages
from tutela.rights.notices import acknowledgement
from tutela.store.db import Store
from tutela.store.models import OutboxMessage, RightsMessage, SarCase, SarCaseEvent
from tutela.store.types import utcnow

log = logging.getLogger(__name__)

_MSGID = re.compile(r"<[^<>\s]{1,900}>")
_AUTH = re.compile(r"\b(dmarc|dkim|spf)\s*=\s*([a-z]+)", re.IGNORECASE)
_FAILED = frozenset({"fail", "softfail"})
MAX_BODY_LINES = 5


@dataclass(frozen=True)
class Parsed:
    message_id: str
    sender: str | None
    subject: str | None
    refs: list[str]
    auth_failures: list[str]
    dmarc_pass: bool
    first_lines: list[str]


@dataclass(frozen=True)
class IntakeResult:
    """One message's outcome, as `tutela sar intake --json` prints it."""

    message_id: str
    route: Route
    case_id: int | None
    duplicate: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "route": self.route,
            "case_id": self.case_id,
            "duplicate": self.duplicate,
        }


@dataclass
class IntakeReport:
    results: list[IntakeResult] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title") and self._skip:
            self._skip -= 1
        elif tag in ("p", "div", "li", "tr", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _body_lines(msg: EmailMessage) -> list[str]:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return []
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = (
            payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        )
    if not isinstance(content, str):
        return []
    if part.get_content_subtype() == "html":
        content = html_text(content)
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    return lines[:MAX_BODY_LINES]


def _header(msg: EmailMessage, name: str) -> str | None:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):
        return None
    return None if value is None else str(value).strip()


def _sender(msg: EmailMessage) -> str | None:
    try:
        header = msg.get("From")
        addresses = getattr(header, "addresses", ())
    except (ValueError, IndexError, TypeError):
        return None
    for address in addresses:
        spec = str(address.addr_spec).strip().lower()
        if "@" in spec and len(spec) <= 320:
            return spec
    return None


def auth_results(headers: Iterable[str]) -> tuple[list[str], bool]:
    """(failed methods, dmarc passed) from the topmost Authentication-Results."""
    for header in headers:
        found = {m.lower(): r.lower() for m, r in _AUTH.findall(header)}
        failures = sorted(m for m, r in found.items() if r in _FAILED)
        return failures, found.get("dmarc") == "pass"
    return [], False


def parse(raw: bytes) -> Parsed:
    """Parse one RFC 5322 message; never fails on malformed headers."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    message_id = _header(msg, "Message-ID") or ""
    found = _MSGID.search(message_id)
    if found:
        message_id = found.group(0)
    else:
        message_id = f"<{hashlib.sha256(raw).hexdigest()}@tutela.invalid>"
    refs: list[str] = []
    for name in ("In-Reply-To", "References"):
        refs += _MSGID.findall(_header(msg, name) or "")
    try:
        auth_headers = [str(h) for h in msg.get_all("Authentication-Results") or []]
    except (ValueError, IndexError, TypeError):
        auth_headers = []
    failures, dmarc_pass = auth_results(auth_headers)
    subject = _header(msg, "Subject")
    return Parsed(
        message_id=message_id,
        sender=_sender(msg),
        subject=subject[:998] if subject else None,
        refs=list(dict.fromkeys(refs))[:50],
        auth_failures=failures,
        dmarc_pass=dmarc_pass and not failures,
        first_lines=_body_lines(msg),
    )


def _key(message_id: str) -> str:
    return hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()


def _thread_case(store: Store, refs: list[str]) -> int | None:
    if not refs:
        return None
    with store.session() as session:
        found = session.scalar(
            select(RightsMessage.case_id)
            .where(
                RightsMessage.message_id.in_(refs), RightsMessage.case_id.is_not(None)
            )
            .order_by(RightsMessage.id)
            .limit(1)
        )
        if found is None:
            found = session.scalar(
                select(OutboxMessage.case_id)
                .where(
                    OutboxMessage.message_id.in_(refs),
                    OutboxMessage.case_id.is_not(None),
                )
                .order_by(OutboxMessage.id)
                .limit(1)
            )
    return None if found is None else int(found)


def intake_message(
    store: Store,
    raw: bytes,
    *,
    settings: Settings,
    channel: str = "email",
    where: str = "<message>",
    now: dt.datetime | None = None,
) -> IntakeResult:
    """Store one message with its route; open or join a case for access requests."""
    check_size(raw, where)
    moment = now or utcnow()
    parsed = parse(raw)
    key = _key(parsed.message_id)
    with store.session() as session:
        existing = session.scalars(
            select(RightsMessage).where(RightsMessage.message_key == key)
        ).one_or_none()
        if existing is not None:
            log.info("rights.intake.duplicate message_row=%d", existing.id)
            stored_route = cast(Route, existing.route)
            return IntakeResult(
                parsed.message_id, stored_route, existing.case_id, duplicate=True
            )
    meaning = load_policy_cached(settings.policy_file).meaning
    joined = _thread_case(store, parsed.refs)
    route: Route = (
        "access_request"
        if joined is not None
        else route_of(
            parsed.subject,
            parsed.first_lines,
            access_heading=meaning.access_request.heading,
            updates_heading=meaning.change_procedure.heading,
        )
    )
    opens_case = route == "access_request" and joined is None
    on_file = (
        _people.people_with_email(store, parsed.sender)
        if opens_case and parsed.sender
        else []
    )
    case_id: int | None = joined
    pending: list[tuple[int, str, dict[str, object]]] = []
    person_ids: list[int] = []
    with store.session() as session:
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
            case_id=joined,
        )
        session.add(row)
        session.flush()
        if opens_case:
            jurisdictions = sorted({p.jurisdiction for p in on_file})
            person_ids = sorted(p.person_id for p in on_file)
            case = new_case(
                session,
                channel=channel,
                requester_address=parsed.sender,
                received_at=moment,
                jurisdiction=jurisdictions[0] if len(jurisdictions) == 1 else None,
                person_ids=person_ids,
                account_closed=bool(on_file)
                and not any(p.account_active for p in on_file),
                auth_failures=parsed.auth_failures,
            )
            row.case_id = case_id = case.id
            first = session.scalars(
                select(SarCaseEvent).where(SarCaseEvent.case_id == case.id)
            ).one()
            pending.append(
                (
                    first.id,
                    "system:support_inbox",
                    {
                        "from": None,
                        "to": "received",
                        "channel": channel,
                        "risk": case.risk,
                    },
                )
            )
            if parsed.sender and not parsed.auth_failures:
                subject, body = acknowledgement(case.ref)
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
        elif route == "policy_updates" and parsed.sender:
            subscribe(
                session,
                address=parsed.sender,
                verified=parsed.dmarc_pass,
                message_row_id=row.id,
            )
        row_id = row.id
    log.info("rights.intake.stored message_row=%d route=%s", row_id, route)
    if pending and case_id is not None:
        audit_events(store, case_id, person_ids, pending)
        verification.start(store, case_id, settings=settings, now=moment)
    elif joined is not None:
        with changing(store, joined) as change:
            change.note(
                "message_joined",
                actor="system:support_inbox",
                details={"message_row": row_id},
            )
    return IntakeResult(parsed.message_id, route, case_id)


def intake_path(store: Store, path: Path, *, settings: Settings) -> IntakeReport:
    """Ingest a message file, mbox or Maildir; oversized messages are reported."""
    report = IntakeReport()
    for item in read_messages(path):
        if isinstance(item, MessageTooLarge):
            report.rejected.append(item.message)
            continue
        try:
            report.results.append(
                intake_message(store, item.data, settings=settings, where=item.where)
            )
        except InvalidInput as exc:
            report.rejected.append(exc.message)
    return report


# A repeated web or API request for one address within this time joins the
# open case it made (see `open_request`).
REPEAT_WINDOW: Final = dt.timedelta(hours=24)


def _open_repeat(
    store: Store, address: str, channel: str, moment: dt.datetime
) -> str | None:
    """The reference of this address's open case from this channel, if recent."""
    with store.session() as session:
        return session.scalars(
            select(SarCase.ref)
            .where(
                SarCase.requester_address == address,
                SarCase.channel == channel,
                SarCase.state.in_([str(state) for state in OPEN]),
                SarCase.received_at >= moment - REPEAT_WINDOW,
            )
            .order_by(SarCase.received_at.desc())
            .limit(1)
        ).first()


def open_request(
    store: Store,
    *,
    email: str,
    settings: Settings,
    channel: str = "web",
    now: dt.datetime | None = None,
) -> str:
    """A web-form or API request: the same kind of case; returns its reference.

    The address typed into the form is not trusted: it only selects whom to
    look up, and a code goes to the address on file for that person. The same
    address asking again on the same channel while its case from the last
    `REPEAT_WINDOW` is still open gets that case's reference, and no new case
    or mail: a form cannot be used to flood someone's mailbox with codes. The
    answer is the same whether or not the address is known.
    """
    address = normalize_email(email)
    moment = now or utcnow()
    repeated = _open_repeat(store, address, channel, moment)
    if repeated is not None:
        log.info("sar.repeat channel=%s case_ref=%s", channel, repeated)
        return repeated
    on_file = _people.people_with_email(store, address)
    with store.session() as session:
        jurisdictions = sorted({p.jurisdiction for p in on_file})
        person_ids = sorted(p.person_id for p in on_file)
        case = new_case(
            session,
            channel=channel,
            requester_address=address,
            received_at=moment,
            jurisdiction=jurisdictions[0] if len(jurisdictions) == 1 else None,
            person_ids=person_ids,
            account_closed=bool(on_file) and not any(p.account_active for p in on_file),
        )
        session.flush()
        first = session.scalars(
            select(SarCaseEvent).where(SarCaseEvent.case_id == case.id)
        ).one()
        case_id, ref, event_id, risk = case.id, case.ref, first.id, case.risk
    audit_events(
        store,
        case_id,
        person_ids,
        [
            (
                event_id,
                "system:support_inbox",
                {"from": None, "to": "received", "channel": channel, "risk": risk},
            )
        ],
    )
    verification.start(store, case_id, settings=settings, now=moment)
    return ref
