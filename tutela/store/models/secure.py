"""The audit chain, its signed checkpoints and the disclosure ledger.

Clauses: secure.measures (a tamper-evident record of every grant, denial,
disclosure, export, deletion and administrative action), disclose.jurisdictions
and disclose.jurisdictions.less_protective (each disclosure records where the
recipient is and whether the data crossed the subject's jurisdiction).

Nothing here is personal data: people appear only as surrogate ids, never by
name, e-mail or number. Audit fields are stored as the exact text that was
hashed, so verification reads them back byte for byte.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    AUDIT_TIME,
    KEY,
    LINK,
    Base,
    _created,
    _id,
    structural,
)

HASHED = structural("audit entry field, hashed into the chain; surrogate ids only")
CHAIN = structural("SHA-256 hash of the audit chain")
POLICY_ID = structural("policy identifier (recipient, purpose or category id)")


class AuditEntry(Base):
    """One link of the hash chain; `hash` covers every field and `prev_hash`."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
        info=KEY,
    )
    at: Mapped[str] = mapped_column(String(32), info=HASHED)
    actor: Mapped[str] = mapped_column(String(120), index=True, info=HASHED)
    action: Mapped[str] = mapped_column(String(64), info=HASHED)
    purpose: Mapped[str | None] = mapped_column(String(64), info=HASHED)
    subjects: Mapped[str] = mapped_column(Text, info=HASHED)
    details: Mapped[str] = mapped_column(Text, info=HASHED)
    prev_hash: Mapped[str] = mapped_column(String(64), info=CHAIN)
    hash: Mapped[str] = mapped_column(String(64), unique=True, info=CHAIN)


class AuditHead(Base):
    """The single row every append updates first: it serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info=KEY)
    seq: Mapped[int] = mapped_column(
        BigInteger, info=structural("sequence number of the last entry")
    )
    hash: Mapped[str] = mapped_column(String(64), info=CHAIN)


class AuditCheckpoint(Base):
    """An Ed25519 signature over (seq, hash) of the chain at some entry."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = _id()
    seq: Mapped[int] = mapped_column(
        BigInteger, unique=True, info=structural("audit entry the checkpoint covers")
    )
    hash: Mapped[str] = mapped_column(String(64), info=CHAIN)
    at: Mapped[str] = mapped_column(String(32), info=AUDIT_TIME)
    key_id: Mapped[str] = mapped_column(
        String(32), info=structural("fingerprint of the signing key")
    )
    signature: Mapped[str] = mapped_column(
        String(128), info=structural("Ed25519 signature, base64")
    )


class Disclosure(Base):
    """One disclosure decision: allowed ones and refused ones alike."""

    __tablename__ = "disclosures"

    id: Mapped[int] = _id()
    at: Mapped[dt.datetime] = _created()
    actor: Mapped[str] = mapped_column(
        String(120), info=structural("surrogate id of the staff member or job")
    )
    recipient: Mapped[str] = mapped_column(String(64), index=True, info=POLICY_ID)
    recipient_kind: Mapped[str | None] = mapped_column(String(24), info=POLICY_ID)
    recipient_country: Mapped[str | None] = mapped_column(
        String(2), info=structural("ISO country where the recipient is located")
    )
    recipient_jurisdiction: Mapped[str | None] = mapped_column(
        String(8), info=structural("US, CA or OTHER (disclose.jurisdictions)")
    )
    categories: Mapped[str] = mapped_column(
        Text, info=structural("JSON list of policy category ids")
    )
    purpose: Mapped[str] = mapped_column(String(64), info=POLICY_ID)
    reference: Mapped[str | None] = mapped_column(
        String(200),
        info=structural("subpoena, order or transaction number (no names)"),
    )
    authority: Mapped[str | None] = mapped_column(
        String(200), info=structural("issuing court or agency")
    )
    allowed: Mapped[bool] = mapped_column(Boolean, info=structural("decision"))
    clause: Mapped[str | None] = mapped_column(
        String(80), info=structural("policy clause that decided")
    )
    reason: Mapped[str | None] = mapped_column(
        String(300), info=structural("why it was refused")
    )
    audit_seq: Mapped[int | None] = mapped_column(
        BigInteger, info=structural("audit entry recording the decision")
    )


class DisclosureSubject(Base):
    """A person a disclosure was about, and whether their data crossed a border."""

    __tablename__ = "disclosure_subjects"

    id: Mapped[int] = _id()
    disclosure_id: Mapped[int] = mapped_column(
        ForeignKey("disclosures.id", ondelete="CASCADE"), index=True, info=LINK
    )
    # No foreign key: the record of a disclosure outlives the person's data.
    subject_id: Mapped[int] = mapped_column(
        BigInteger, index=True, info=structural("surrogate id of the person")
    )
    subject_jurisdiction: Mapped[str] = mapped_column(
        String(8), info=structural("jurisdiction of the person's business account")
    )
    crossed_border: Mapped[bool] = mapped_column(
        Boolean, info=structural("recipient outside the subject's jurisdiction")
    )
