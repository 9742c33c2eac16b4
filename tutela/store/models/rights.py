"""Subject access cases, inbound rights mail, verification, outbox, subscriptions.

Policy: "Access to personal information" (rights.access, rights.access.request,
rights.access.verification, rights.access.fee_or_reject) and "Changes to this
policy" (changes.subscribe). Requesters' addresses, messages and the data
they give to prove who they are belong to the `rights_requests` category;
raw messages, verification data and outgoing bodies (which carry one-time
codes) are `Encrypted`. Case metadata (state, deadlines, reasons) is
structural.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    AUDIT_TIME,
    LINK,
    PROVENANCE,
    STATUS,
    Base,
    _created,
    _id,
    personal,
    structural,
)
from tutela.store.types import Encrypted

CASE_STATES = (
    "received",
    "verifying",
    "verified",
    "fee_requested",
    "fulfilled",
    "rejected",
    "expired",
)
# The states a case ends in (no move leads out of them; `tutela.rights.cases`):
# its verification data goes at once, its records after the retention period.
CLOSED_CASE_STATES = ("fulfilled", "rejected", "expired")
# What a rights case asks for (GDPR Art. 15, 16, 17; CCPA know, correct, delete).
REQUEST_KINDS = ("access", "erasure", "correction")
ROUTES = ("access_request", "policy_updates", "general")
# Why a message in the legal inbox needs a look (`tutela.rights.inbox`); checked
# in code (a CHECK constraint would mean rebuilding the table on SQLite).
INBOX_FLAGS = ("probable_access", "unsubscribe", "quarantined")
DEADLINE = structural("legal deadline computed from the policy and jurisdiction")
REASON = structural("decision reason code or staff note about the case, not a value")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SarCase(Base):
    """One subject access request, from intake to fulfilment or rejection."""

    __tablename__ = "sar_cases"
    __table_args__ = (
        CheckConstraint(_in("state", CASE_STATES), name="ck_sar_cases_state"),
        Index("ix_sar_cases_state_due", "state", "respond_by"),
    )

    id: Mapped[int] = _id()
    ref: Mapped[str] = mapped_column(
        String(16), unique=True, info=structural("random public case reference")
    )
    state: Mapped[str] = mapped_column(String(16), default="received", info=STATUS)
    # access, erasure or correction (`REQUEST_KINDS`); checked in code.
    kind: Mapped[str] = mapped_column(
        String(12), default="access", server_default="access", info=STATUS
    )
    channel: Mapped[str] = mapped_column(String(8), info=STATUS)
    requester_address: Mapped[str | None] = mapped_column(
        String(320), index=True, info=personal("rights_requests", "requester_address")
    )
    subject_e164: Mapped[str | None] = mapped_column(
        String(20), info=personal("rights_requests", "subject_identifier")
    )
    person_ids: Mapped[str] = mapped_column(
        Text, default="[]", info=structural("JSON list of matched people ids")
    )
    # A subject who is not a customer contact (a caller, a recording party),
    # verified by a code read out on a call to this number: whose data the
    # case released, kept with the case like `person_ids`.
    subject_number: Mapped[str | None] = mapped_column(
        String(20), info=personal("rights_requests", "subject_identifier")
    )
    subject_since: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True),
        info=structural("start of the period a verified identifier reaches"),
    )
    account_closed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), info=STATUS
    )
    jurisdiction: Mapped[str | None] = mapped_column(
        String(8), info=structural("jurisdiction whose deadline rule applies")
    )
    # From the web form or the API: who asks, and for what.
    requester_name: Mapped[str | None] = mapped_column(
        String(200), info=personal("rights_requests", "requester_name")
    )
    requested: Mapped[str | None] = mapped_column(
        String(24), info=structural("what was asked for, from a fixed list")
    )
    deadline_rule: Mapped[str] = mapped_column(String(16), info=DEADLINE)
    risk: Mapped[str] = mapped_column(String(8), default="normal", info=STATUS)
    auth_failures: Mapped[str | None] = mapped_column(
        String(64),
        info=structural("failed DMARC/DKIM/SPF results of the receiving server"),
    )
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    confirm_by: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=DEADLINE
    )
    respond_by: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=DEADLINE
    )
    extended_to: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=DEADLINE
    )
    extension_reason: Mapped[str | None] = mapped_column(String(300), info=REASON)
    verification_method: Mapped[str | None] = mapped_column(String(24), info=STATUS)
    verification_level: Mapped[str | None] = mapped_column(String(12), info=STATUS)
    verified_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    failed_attempts: Mapped[int] = mapped_column(
        Integer, default=0, info=structural("failed verification attempts")
    )
    fee_amount: Mapped[str | None] = mapped_column(
        String(16), info=structural("fee asked, decimal string")
    )
    fee_paid_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    decision_reason: Mapped[str | None] = mapped_column(String(32), info=REASON)
    decision_note: Mapped[str | None] = mapped_column(String(300), info=REASON)
    export_ref: Mapped[str | None] = mapped_column(
        String(200), info=structural("reference of the attached export")
    )
    outcome: Mapped[str | None] = mapped_column(
        Text,
        info=structural(
            "JSON: per category what an erasure or correction erased, kept and "
            "why; counts, reasons and recipients, never values"
        ),
    )
    closed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    assigned_to: Mapped[str | None] = mapped_column(
        String(120),
        info=structural("surrogate id of the officer the case is assigned to"),
    )
    # Who asked for an erasure, kept as evidence once the subject is erased
    # (the person erased is not always the requester).
    erasure_requester: Mapped[str | None] = mapped_column(
        String(320), info=personal("rights_requests", "erasure_requester")
    )
    erase_after: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True),
        info=structural("end of the cooling-off period after the erasure notice"),
    )
    stop_digest: Mapped[str | None] = mapped_column(
        String(64),
        info=structural("SHA-256 of the link that stops a scheduled erasure"),
    )
    created_at: Mapped[dt.datetime] = _created()


class ContactConfirmation(Base):
    """A single-use link that confirms a corrected address; only its digest is kept."""

    __tablename__ = "contact_confirmations"

    id: Mapped[int] = _id()
    holding_id: Mapped[int] = mapped_column(
        ForeignKey("holdings.id", ondelete="CASCADE"), index=True, info=LINK
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="SET NULL"), index=True, info=LINK
    )
    token_hash: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        info=structural("SHA-256 of the random token; the token is never stored"),
    )
    expires_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    used_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    created_at: Mapped[dt.datetime] = _created()


class SarCaseEvent(Base):
    """One state change of a case: who moved it, when, why, and its audit entry."""

    __tablename__ = "sar_case_events"

    id: Mapped[int] = _id()
    case_id: Mapped[int] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="CASCADE"), index=True, info=LINK
    )
    from_state: Mapped[str | None] = mapped_column(String(16), info=STATUS)
    to_state: Mapped[str] = mapped_column(String(16), info=STATUS)
    actor: Mapped[str] = mapped_column(
        String(120), info=structural("surrogate actor id")
    )
    note: Mapped[str | None] = mapped_column(String(300), info=REASON)
    audit_seq: Mapped[int | None] = mapped_column(
        Integer, info=structural("sequence number of the audit entry")
    )
    created_at: Mapped[dt.datetime] = _created()


class RightsMessage(Base):
    """Every message sent to the legal address, with its route. Nothing is lost."""

    __tablename__ = "rights_messages"
    __table_args__ = (
        CheckConstraint(_in("route", ROUTES), name="ck_rights_messages_route"),
    )

    id: Mapped[int] = _id()
    message_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    message_id: Mapped[str] = mapped_column(
        String(998), index=True, info=personal("rights_requests", "thread_ids")
    )
    thread_refs: Mapped[str | None] = mapped_column(
        Text, info=personal("rights_requests", "thread_ids")
    )
    route: Mapped[str] = mapped_column(String(16), info=STATUS)
    channel: Mapped[str] = mapped_column(String(8), info=STATUS)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="SET NULL"), index=True, info=LINK
    )
    sender_address: Mapped[str | None] = mapped_column(
        String(320), info=personal("rights_requests", "requester_address")
    )
    subject: Mapped[str | None] = mapped_column(
        String(998), info=personal("rights_requests", "request_subject")
    )
    raw: Mapped[str] = mapped_column(
        Encrypted("rights_messages.raw"),
        info=personal("rights_requests", "request_message"),
    )
    size: Mapped[int] = mapped_column(
        Integer, info=structural("raw message size in bytes")
    )
    auth_failures: Mapped[str | None] = mapped_column(
        String(64),
        info=structural("failed DMARC/DKIM/SPF results of the receiving server"),
    )
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    flag: Mapped[str | None] = mapped_column(
        String(16), info=structural("why a legal-inbox message needs a look")
    )
    problem: Mapped[str | None] = mapped_column(
        String(200), info=structural("why a quarantined message was refused")
    )
    handled_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    handled_by: Mapped[str | None] = mapped_column(
        String(120), info=structural("surrogate id of who handled the message")
    )


class SarCaseRef(Base):
    """A further reference to a case, handed to one repeat request and no one else."""

    __tablename__ = "sar_case_refs"

    id: Mapped[int] = _id()
    ref: Mapped[str] = mapped_column(
        String(16), unique=True, info=structural("random public case reference")
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="CASCADE"), index=True, info=LINK
    )
    channel: Mapped[str] = mapped_column(String(8), info=STATUS)
    created_at: Mapped[dt.datetime] = _created()


class VerificationChallenge(Base):
    """A one-time code sent to an address on file: only its keyed hash is kept."""

    __tablename__ = "sar_challenges"

    id: Mapped[int] = _id()
    case_id: Mapped[int] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="CASCADE"), index=True, info=LINK
    )
    code_hash: Mapped[str | None] = mapped_column(
        String(100), info=structural("HMAC of the one-time code; cleared when used")
    )
    channel: Mapped[str] = mapped_column(
        String(8),
        default="email",
        server_default="email",
        info=structural("where the code went: email (on file) or phone (call-back)"),
    )
    expires_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, info=STATUS)
    max_attempts: Mapped[int] = mapped_column(Integer, info=STATUS)
    used_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    locked_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    # A call-back code is shown to the staff member who reads it out; someone
    # else must enter it, or one officer could verify anyone alone.
    issued_to: Mapped[str | None] = mapped_column(
        String(120),
        info=structural("surrogate id of the staff member shown a call-back code"),
    )
    created_at: Mapped[dt.datetime] = _created()


class VerificationEvidence(Base):
    """What a requester gave to prove identity; deleted when the case closes."""

    __tablename__ = "sar_verification_data"

    id: Mapped[int] = _id()
    case_id: Mapped[int] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="CASCADE"), index=True, info=LINK
    )
    kind: Mapped[str] = mapped_column(String(24), info=STATUS)
    data: Mapped[str] = mapped_column(
        Encrypted("sar_verification_data.data"),
        info=personal("rights_requests", "verification_data"),
    )
    matched: Mapped[bool] = mapped_column(Boolean, info=STATUS)
    actor: Mapped[str | None] = mapped_column(
        String(120), info=structural("surrogate id of the staff member, if any")
    )
    created_at: Mapped[dt.datetime] = _created()


class OutboxMessage(Base):
    """Transactional outbox: mail written with the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status", "status", "id"),)

    id: Mapped[int] = _id()
    kind: Mapped[str] = mapped_column(String(24), info=STATUS)
    message_id: Mapped[str] = mapped_column(
        String(200), unique=True, info=structural("generated Message-ID")
    )
    in_reply_to: Mapped[str | None] = mapped_column(
        String(998), info=personal("rights_requests", "thread_ids")
    )
    to_address: Mapped[str] = mapped_column(
        String(320), info=personal("rights_requests", "recipient_address")
    )
    subject: Mapped[str] = mapped_column(
        String(300), info=structural("subject line from a fixed template")
    )
    body: Mapped[str | None] = mapped_column(
        Encrypted("outbox.body"), info=personal("rights_requests", "outbound_message")
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="SET NULL"), index=True, info=LINK
    )
    status: Mapped[str] = mapped_column(String(8), default="pending", info=STATUS)
    attempts: Mapped[int] = mapped_column(Integer, default=0, info=STATUS)
    last_error: Mapped[str | None] = mapped_column(
        String(200), info=structural("class of the last delivery error")
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    created_at: Mapped[dt.datetime] = _created()
    # Delivery by workers (`tutela.mail.delivery`): when to try again, and
    # which worker holds the row until when.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    claim: Mapped[str | None] = mapped_column(
        String(32), info=structural("random id of the worker run sending the row")
    )
    claimed_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    # A policy-update notice: the subscription it goes to (its unsubscribe
    # link); the notice goes with the subscription when that ends.
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_subscriptions.id", ondelete="CASCADE"),
        index=True,
        info=LINK,
    )


class PolicySubscription(Base):
    """An address that asked for e-mail notice of policy updates."""

    __tablename__ = "policy_subscriptions"

    id: Mapped[int] = _id()
    address: Mapped[str] = mapped_column(
        String(320), unique=True, info=personal("rights_requests", "subscriber_address")
    )
    verified: Mapped[bool] = mapped_column(Boolean, default=False, info=STATUS)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_messages.id", ondelete="SET NULL"), info=LINK
    )
    created_at: Mapped[dt.datetime] = _created()
    # Double opt-in (`tutela.changes.optin`): a request from the web or the
    # API waits, unconfirmed, until the link mailed to the address is used.
    channel: Mapped[str] = mapped_column(String(8), default="email", info=STATUS)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    confirm_digest: Mapped[str | None] = mapped_column(
        String(64),
        unique=True,
        info=structural("SHA-256 of the confirmation token; the token is not kept"),
    )
    confirm_expires_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    # The one-click unsubscribe link (RFC 8058) of every notice: sealed, as
    # each notice needs it again; found by its digest.
    unsubscribe_token: Mapped[str | None] = mapped_column(
        Encrypted("policy_subscriptions.unsubscribe_token"),
        info=structural("random one-click unsubscribe token, sealed"),
    )
    unsubscribe_digest: Mapped[str | None] = mapped_column(
        String(64),
        unique=True,
        info=structural("SHA-256 of the unsubscribe token, to find the row"),
    )
