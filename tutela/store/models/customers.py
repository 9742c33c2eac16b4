"""Business accounts, their people, numbers, payment, porting and communications.

Policy: "Information it requests" and "Information a person voluntarily gives"
(collect.requested, collect.volunteered); "Jive only sells to businesses"
(scope.business_only).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    AUDIT_TIME,
    LINK,
    STATUS,
    Base,
    _created,
    _id,
    _tenant,
    personal,
    structural,
)
from tutela.store.types import Encrypted

# ------------------------------------------------------------ accounts, people


class Account(Base):
    """A business customer. There are no consumer accounts."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("kind = 'business'", name="ck_accounts_business_only"),
    )

    id: Mapped[int] = _id()
    ref: Mapped[str] = mapped_column(
        String(32), unique=True, info=structural("public account number")
    )
    kind: Mapped[str] = mapped_column(String(16), default="business", info=STATUS)
    organization: Mapped[str] = mapped_column(
        String(200), info=personal("business_contact", "organization")
    )
    region: Mapped[str] = mapped_column(
        String(2),
        default="US",
        info=structural("ISO country used to read phone numbers"),
    )
    jurisdiction: Mapped[str] = mapped_column(
        String(8),
        default="US",
        info=structural("legal jurisdiction of the customer (ISO 3166)"),
    )
    status: Mapped[str] = mapped_column(String(16), default="active", info=STATUS)
    # When the business stopped being a customer: the former-customer rules
    # of `tutela.store.former_customers` count from here.
    closed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    created_at: Mapped[dt.datetime] = _created()


class Person(Base):
    """A business contact or an end user of a customer's phone service."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(
            "role IN ('contact', 'admin', 'end_user')", name="ck_people_role"
        ),
        Index("ix_people_email", "email"),
        Index("ix_people_phone", "phone"),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    role: Mapped[str] = mapped_column(String(16), info=STATUS)
    name: Mapped[str] = mapped_column(
        String(200), info=personal("business_contact", "name")
    )
    email: Mapped[str | None] = mapped_column(
        String(254), info=personal("business_contact", "email")
    )
    phone: Mapped[str | None] = mapped_column(
        String(20), info=personal("business_contact", "phone")
    )
    street: Mapped[str | None] = mapped_column(
        String(200), info=personal("business_contact", "street")
    )
    city: Mapped[str | None] = mapped_column(
        String(100), info=personal("business_contact", "city")
    )
    region: Mapped[str | None] = mapped_column(
        String(100), info=personal("business_contact", "region")
    )
    postal_code: Mapped[str | None] = mapped_column(
        String(20), info=personal("business_contact", "postal_code")
    )
    country: Mapped[str | None] = mapped_column(
        String(2), info=personal("business_contact", "country")
    )
    created_at: Mapped[dt.datetime] = _created()


# ------------------------------------------------------------ numbers


class PhoneNumber(Base):
    __tablename__ = "phone_numbers"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    e164: Mapped[str] = mapped_column(
        String(20), unique=True, info=personal("phone_numbers", "e164")
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"),
        index=True,
        info=personal("phone_numbers", "assignee"),
    )
    status: Mapped[str] = mapped_column(String(16), default="active", info=STATUS)
    created_at: Mapped[dt.datetime] = _created()


class Extension(Base):
    __tablename__ = "extensions"
    __table_args__ = (
        UniqueConstraint("account_id", "extension", name="uq_extensions_account"),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    extension: Mapped[str] = mapped_column(
        String(10), info=personal("phone_numbers", "extension")
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"),
        index=True,
        info=personal("phone_numbers", "assignee"),
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
    card_brand: Mapped[str] = mapped_column(
        String(20), info=personal("payment", "card_brand")
    )
    card_last4: Mapped[str] = mapped_column(
        String(4), info=personal("payment", "card_last4")
    )
    card_exp_month: Mapped[int] = mapped_column(
        Integer, info=personal("payment", "card_expiry")
    )
    card_exp_year: Mapped[int] = mapped_column(
        Integer, info=personal("payment", "card_expiry")
    )
    billing_street: Mapped[str | None] = mapped_column(
        String(200), info=personal("payment", "billing_street")
    )
    billing_city: Mapped[str | None] = mapped_column(
        String(100), info=personal("payment", "billing_city")
    )
    billing_region: Mapped[str | None] = mapped_column(
        String(100), info=personal("payment", "billing_region")
    )
    billing_postal_code: Mapped[str | None] = mapped_column(
        String(20), info=personal("payment", "billing_postal_code")
    )
    billing_country: Mapped[str | None] = mapped_column(
        String(2), info=personal("payment", "billing_country")
    )
    created_at: Mapped[dt.datetime] = _created()


class PortingRequest(Base):
    """Numbers moving to the provider, with the losing carrier's verification data."""

    __tablename__ = "porting_requests"

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    previous_carrier: Mapped[str] = mapped_column(
        String(100), info=personal("porting", "previous_carrier")
    )
    carrier_account_number: Mapped[str] = mapped_column(
        Encrypted("porting_requests.carrier_account_number"),
        info=personal("porting", "carrier_account_number"),
    )
    carrier_pin: Mapped[str | None] = mapped_column(
        Encrypted("porting_requests.carrier_pin"),
        info=personal("porting", "carrier_pin"),
    )
    billing_telephone_number: Mapped[str] = mapped_column(
        String(20), info=personal("porting", "billing_telephone_number")
    )
    authorized_name: Mapped[str] = mapped_column(
        String(200), info=personal("porting", "authorized_name")
    )
    service_address: Mapped[str] = mapped_column(
        String(400), info=personal("porting", "service_address")
    )
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
    e164: Mapped[str] = mapped_column(
        String(20), index=True, info=personal("porting", "numbers")
    )


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
        ForeignKey("people.id", ondelete="SET NULL"),
        index=True,
        info=personal("communications", "participants"),
    )
    channel: Mapped[str] = mapped_column(
        String(16), info=personal("communications", "channel")
    )
    ticket_ref: Mapped[str | None] = mapped_column(
        String(32), index=True, info=structural("support ticket number")
    )
    direction: Mapped[str] = mapped_column(String(8), default="inbound", info=STATUS)
    subject: Mapped[str | None] = mapped_column(
        String(300), info=personal("communications", "subject")
    )
    body: Mapped[str] = mapped_column(Text, info=personal("communications", "body"))
    occurred_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        index=True,
        info=personal("communications", "occurred_at"),
    )
    created_at: Mapped[dt.datetime] = _created()
