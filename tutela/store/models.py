"""The store: one table per kind of data the policy names.

Every column is classified for `tutela policy check`: either it holds a field
of a policy category (`personal("call_records", "source")`) or it is declared
not personal with a reason (`structural("surrogate key")`). An unclassified
column fails the check, so nobody adds personal data the policy does not name.

Rules enforced by the schema itself:
- accounts are businesses only (policy: "Jive only sells to businesses");
- there is no column for a card security code or a full card number;
- porting account numbers and PINs are `Encrypted`;
- website and ad tables have no key to accounts or people (policy: website
  information "is not associated with any personally identifiable information");
- every customer table carries `account_id`, the tenant key for sharding.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tutela.store.types import Encrypted


def personal(category: str, field: str) -> dict[str, Any]:
    """Column info: this column holds `field` of policy category `category`."""
    return {"category": category, "field": field}


def structural(reason: str) -> dict[str, Any]:
    """Column info: not personal data (keys, timestamps of processing, status)."""
    return {"personal": False, "reason": reason}


KEY = structural("surrogate key")
TENANT = structural("tenant key: the owning business account")
LINK = structural("reference to another row")
STATUS = structural("processing state")
AUDIT_TIME = structural("time of processing, not of the person's activity")
PROVENANCE = structural("where the record came from, for idempotent re-ingest")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


def _id() -> Mapped[int]:
    return mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, info=KEY)


def _tenant(ondelete: str = "CASCADE") -> Mapped[int]:
    return mapped_column(
        ForeignKey("accounts.id", ondelete=ondelete), index=True, nullable=False, info=TENANT
    )


def _created() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=_utcnow, nullable=False, info=AUDIT_TIME)


# ------------------------------------------------------------ accounts, people


class Account(Base):
    """A business customer. There are no consumer accounts."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("kind = 'business'", name="ck_accounts_business_only"),)

    id: Mapped[int] = _id()
    ref: Mapped[str] = mapped_column(String(32), unique=True, info=structural("public account number"))
    kind: Mapped[str] = mapped_column(String(16), default="business", info=STATUS)
    organization: Mapped[str] = mapped_column(String(200), info=personal("business_contact", "organization"))
    region: Mapped[str] = mapped_column(
        String(2), default="US", info=structural("ISO country used to read phone numbers")
    )
    jurisdiction: Mapped[str] = mapped_column(
        String(8), default="US", info=structural("legal jurisdiction of the customer (ISO 3166)")
    )
    status: Mapped[str] = mapped_column(String(16), default="active", info=STATUS)
    created_at: Mapped[dt.datetime] = _created()


class Person(Base):
    """A business contact or an end user of a customer's phone service."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("role IN ('contact', 'admin', 'end_user')", name="ck_people_role"),
        Index("ix_people_email", "email"),
        Index("ix_people_phone", "phone"),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    role: Mapped[str] = mapped_column(String(16), info=STATUS)
    name: Mapped[str] = mapped_column(String(200), info=personal("business_contact", "name"))
    email: Mapped[str | None] = mapped_column(String(254), info=personal("business_contact", "email"))
    phone: Mapped[str | None] = mapped_column(String(20), info=personal("business_contact", "phone"))
    street: Mapped[str | None] = mapped_column(String(200), info=personal("business_contact", "street"))
    city: Mapped[str | None] = mapped_column(String(100), info=personal("business_contact", "city"))
    region: Mapped[str | None] = mapped_column(String(100), info=personal("business_contact", "region"))
    postal_code: Mapped[str | None] = mapped_column(
        String(20), info=personal("business_contact", "postal_code")
    )
    country: Mapped[str | None] = mapped_column(String(2), info=personal("business_contact", "country"))
    created_at: Mapped[dt.datetime] = _created()


# ------------------------------------------------------------ numbers


class PhoneNumber(Base):
    __tablename__ = "phone_numbers"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    e164: Mapped[str] = mapped_column(String(20), unique=True, info=personal("phone_numbers", "e164"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True, info=personal("phone_numbers", "assignee")
    )
    status: Mapped[str] = mapped_column(String(16), default="active", info=STATUS)
    created_at: Mapped[dt.datetime] = _created()


class Extension(Base):
    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("account_id", "extension", name="uq_extensions_account"),)

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    extension: Mapped[str] = mapped_column(String(10), info=personal("phone_numbers", "extension"))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True, info=personal("phone_numbers", "assignee")
    )
    phone_number_id: Mapped[int | None] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="SET NULL"), info=LINK
    )
    created_at: Mapped[dt.datetime] = _created()


# ------------------------------------------------------------ payment, porting


class PaymentMethod(Base):
    """A card on file, as the processor's token. No card number, no security code."""

    __tablename__ = "payment_methods"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    processor_token: Mapped[str] = mapped_column(
        String(100), unique=True, info=personal("payment", "processor_token")
    )
    card_brand: Mapped[str] = mapped_column(String(20), info=personal("payment", "card_brand"))
    card_last4: Mapped[str] = mapped_column(String(4), info=personal("payment", "card_last4"))
    card_exp_month: Mapped[int] = mapped_column(Integer, info=personal("payment", "card_expiry"))
    card_exp_year: Mapped[int] = mapped_column(Integer, info=personal("payment", "card_expiry"))
    billing_street: Mapped[str | None] = mapped_column(String(200), info=personal("payment", "billing_street"))
    billing_city: Mapped[str | None] = mapped_column(String(100), info=personal("payment", "billing_city"))
    billing_region: Mapped[str | None] = mapped_column(String(100), info=personal("payment", "billing_region"))
    billing_postal_code: Mapped[str | None] = mapped_column(
        String(20), info=personal("payment", "billing_postal_code")
    )
    billing_country: Mapped[str | None] = mapped_column(String(2), info=personal("payment", "billing_country"))
    created_at: Mapped[dt.datetime] = _created()


class PortingRequest(Base):
    """Numbers moving to the provider, with the losing carrier's verification data."""

    __tablename__ = "porting_requests"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    previous_carrier: Mapped[str] = mapped_column(String(100), info=personal("porting", "previous_carrier"))
    carrier_account_number: Mapped[str] = mapped_column(
        Encrypted("porting_requests.carrier_account_number"),
        info=personal("porting", "carrier_account_number"),
    )
    carrier_pin: Mapped[str | None] = mapped_column(
        Encrypted("porting_requests.carrier_pin"), info=personal("porting", "carrier_pin")
    )
    billing_telephone_number: Mapped[str] = mapped_column(
        String(20), info=personal("porting", "billing_telephone_number")
    )
    authorized_name: Mapped[str] = mapped_column(String(200), info=personal("porting", "authorized_name"))
    service_address: Mapped[str] = mapped_column(String(400), info=personal("porting", "service_address"))
    status: Mapped[str] = mapped_column(String(16), default="submitted", info=STATUS)
    requested_port_date: Mapped[dt.date | None] = mapped_column(Date, info=STATUS)
    created_at: Mapped[dt.datetime] = _created()


class PortingNumber(Base):
    __tablename__ = "porting_numbers"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    porting_request_id: Mapped[int] = mapped_column(
        ForeignKey("porting_requests.id", ondelete="CASCADE"), index=True, info=LINK
    )
    e164: Mapped[str] = mapped_column(String(20), index=True, info=personal("porting", "numbers"))


# ------------------------------------------------------------ communications


class Communication(Base):
    """A chat, email, call note or service ticket message a person gave us."""

    __tablename__ = "communications"
    __table_args__ = (
        CheckConstraint(
            "channel IN ('chat', 'email', 'phone_call', 'ticket', 'other')",
            name="ck_communications_channel",
        ),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True, info=personal("communications", "participants")
    )
    channel: Mapped[str] = mapped_column(String(16), info=personal("communications", "channel"))
    ticket_ref: Mapped[str | None] = mapped_column(String(32), index=True, info=structural("support ticket number"))
    direction: Mapped[str] = mapped_column(String(8), default="inbound", info=STATUS)
    subject: Mapped[str | None] = mapped_column(String(300), info=personal("communications", "subject"))
    body: Mapped[str] = mapped_column(Text, info=personal("communications", "body"))
    occurred_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), index=True, info=personal("communications", "occurred_at")
    )
    created_at: Mapped[dt.datetime] = _created()


# ------------------------------------------------------------ telephony


class CallRecord(Base):
    """One CDR row: source, destination and duration of a call (every call)."""

    __tablename__ = "call_records"
    __table_args__ = (
        Index("ix_call_records_src", "src_e164"),
        Index("ix_call_records_dst", "dst_e164"),
        Index("ix_call_records_account_start", "account_id", "started_at"),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True, info=PROVENANCE)
    source_format: Mapped[str] = mapped_column(String(24), info=PROVENANCE)
    src_raw: Mapped[str] = mapped_column(String(80), info=personal("call_records", "source"))
    src_e164: Mapped[str | None] = mapped_column(String(20), info=personal("call_records", "source"))
    src_extension: Mapped[str | None] = mapped_column(String(10), info=personal("call_records", "source"))
    dst_raw: Mapped[str] = mapped_column(String(80), info=personal("call_records", "destination"))
    dst_e164: Mapped[str | None] = mapped_column(String(20), info=personal("call_records", "destination"))
    dst_extension: Mapped[str | None] = mapped_column(String(10), info=personal("call_records", "destination"))
    caller_name: Mapped[str | None] = mapped_column(String(200), info=personal("call_records", "caller_name"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), info=personal("call_records", "start"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=personal("call_records", "answer")
    )
    ended_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), info=personal("call_records", "end"))
    duration_s: Mapped[int] = mapped_column(Integer, info=personal("call_records", "duration"))
    billsec_s: Mapped[int] = mapped_column(Integer, info=personal("call_records", "billsec"))
    disposition: Mapped[str] = mapped_column(String(16), info=personal("call_records", "disposition"))
    uniqueid: Mapped[str | None] = mapped_column(String(150), info=PROVENANCE)
    linkedid: Mapped[str | None] = mapped_column(String(150), index=True, info=PROVENANCE)
    sequence: Mapped[int | None] = mapped_column(Integer, info=PROVENANCE)
    created_at: Mapped[dt.datetime] = _created()


class Blob(Base):
    """An encrypted audio file on disk, under its own key (wrapped by the key ring).

    Destroying the row's wrapped key and the file is crypto-shredding: the
    audio cannot be recovered from backups of the file alone.
    """

    __tablename__ = "blobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, info=KEY)
    account_id: Mapped[int] = _tenant()
    wrapped_key: Mapped[str | None] = mapped_column(
        Encrypted("blobs.wrapped_key"), info=structural("per-blob data key, sealed by the key ring")
    )
    media_type: Mapped[str] = mapped_column(String(40), info=structural("audio format"))
    size: Mapped[int] = mapped_column(BigInteger, info=structural("stored size in bytes"))
    created_at: Mapped[dt.datetime] = _created()


class Voicemail(Base):
    """A voicemail message; kept until the customer deletes it (no expiry)."""

    __tablename__ = "voicemails"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True, info=PROVENANCE)
    mailbox: Mapped[str] = mapped_column(String(40), index=True, info=personal("voicemail", "mailbox"))
    folder: Mapped[str] = mapped_column(String(20), default="INBOX", info=STATUS)
    caller_raw: Mapped[str | None] = mapped_column(String(200), info=personal("voicemail", "caller"))
    caller_e164: Mapped[str | None] = mapped_column(String(20), index=True, info=personal("voicemail", "caller"))
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("voicemail", "received_at")
    )
    duration_s: Mapped[int] = mapped_column(Integer, info=personal("voicemail", "duration"))
    audio_blob_id: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.id", ondelete="SET NULL"), info=personal("voicemail", "audio")
    )
    created_at: Mapped[dt.datetime] = _created()


class RecordingNotice(Base):
    """How and when notice of recording was given, before any recording is kept."""

    __tablename__ = "recording_notices"
    __table_args__ = (
        CheckConstraint(
            "method IN ('announcement_prompt', 'verbal', 'written')", name="ck_recording_notices_method"
        ),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    method: Mapped[str] = mapped_column(String(24), info=personal("call_recordings", "notice"))
    given_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), info=personal("call_recordings", "notice"))
    covers_all_parties: Mapped[bool] = mapped_column(Boolean, info=personal("call_recordings", "notice"))
    created_at: Mapped[dt.datetime] = _created()


class CallRecording(Base):
    __tablename__ = "call_recordings"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("recording_notices.id", ondelete="RESTRICT"), nullable=False, info=LINK
    )
    call_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_records.id", ondelete="SET NULL"), index=True, info=LINK
    )
    parties: Mapped[str] = mapped_column(Text, info=personal("call_recordings", "parties"))
    recorded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=personal("call_recordings", "recorded_at")
    )
    duration_s: Mapped[int] = mapped_column(Integer, info=personal("call_recordings", "duration"))
    audio_blob_id: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.id", ondelete="SET NULL"), info=personal("call_recordings", "audio")
    )
    created_at: Mapped[dt.datetime] = _created()


# ------------------------------------------------------------ website and ads
# No foreign key, column or index here relates to accounts or people.


class WebVisit(Base):
    __tablename__ = "web_visits"

    id: Mapped[int] = _id()
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    site: Mapped[str] = mapped_column(String(120), info=structural("which of our websites"))
    page: Mapped[str] = mapped_column(String(500), info=personal("web_activity", "page"))
    viewed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), index=True, info=personal("web_activity", "viewed_at")
    )
    referrer_host: Mapped[str | None] = mapped_column(String(255), info=personal("web_activity", "referrer_host"))
    device_class: Mapped[str] = mapped_column(String(16), info=personal("web_activity", "device_class"))
    country: Mapped[str | None] = mapped_column(String(2), info=personal("web_activity", "country"))
    ip_truncated: Mapped[str] = mapped_column(String(64), info=personal("web_activity", "ip_truncated"))
    visitor_hash: Mapped[str] = mapped_column(String(64), info=personal("web_activity", "visitor_hash"))


class AdClick(Base):
    __tablename__ = "ad_clicks"

    id: Mapped[int] = _id()
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    campaign: Mapped[str | None] = mapped_column(String(200), info=personal("ad_clicks", "campaign"))
    ad: Mapped[str | None] = mapped_column(String(200), info=personal("ad_clicks", "ad"))
    clicked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), index=True, info=personal("ad_clicks", "clicked_at")
    )
    landing_page: Mapped[str] = mapped_column(String(500), info=personal("ad_clicks", "landing_page"))
    visitor_hash: Mapped[str | None] = mapped_column(String(64), info=personal("ad_clicks", "visitor_hash"))


UNLINKABLE_TABLES = ("web_visits", "ad_clicks")

__all__ = [
    "Account",
    "AdClick",
    "Base",
    "Blob",
    "CallRecord",
    "CallRecording",
    "Communication",
    "Extension",
    "PaymentMethod",
    "Person",
    "PhoneNumber",
    "PortingNumber",
    "PortingRequest",
    "RecordingNotice",
    "Voicemail",
    "WebVisit",
]
