"""Subject access exports and the single-use links that deliver them.

Policy: "A subject of personal information can access the personal
information" (rights.access); the export goes only to the channel the
requester was verified on (rights.access.verification). The zip itself is
never stored in the database: it is a blob in the encrypted blob store
(`tutela.store.blobs`, a random key per blob), shredded once downloaded or
expired. A download token is random; only its SHA-256 digest is kept, so a
copy of the database cannot be turned into a working link.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    AUDIT_TIME,
    LINK,
    STATUS,
    Base,
    _created,
    _id,
    structural,
)

EXPORT_STATES = ("ready", "downloaded", "expired")


class ExportBundle(Base):
    """One built export of a case: where its encrypted zip is, and what it holds."""

    __tablename__ = "sar_exports"
    __table_args__ = (
        CheckConstraint(
            "status IN ('ready', 'downloaded', 'expired')",
            name="ck_sar_exports_status",
        ),
    )

    id: Mapped[int] = _id()
    ref: Mapped[str] = mapped_column(
        String(24), unique=True, info=structural("random public export reference")
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="CASCADE"), index=True, info=LINK
    )
    blob_id: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.id", ondelete="SET NULL"),
        info=structural("the encrypted zip in the blob store"),
    )
    schema_version: Mapped[str] = mapped_column(
        String(8), info=structural("version of the data.json schema")
    )
    size: Mapped[int] = mapped_column(
        BigInteger, info=structural("size of the zip in bytes")
    )
    sha256: Mapped[str] = mapped_column(
        String(64), info=structural("SHA-256 of the zip, to check a download")
    )
    counts: Mapped[str] = mapped_column(
        Text, info=structural("JSON: row count per category file, no values")
    )
    status: Mapped[str] = mapped_column(String(12), default="ready", info=STATUS)
    built_by: Mapped[str] = mapped_column(
        String(120), info=structural("surrogate actor id")
    )
    expires_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    shredded_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    created_at: Mapped[dt.datetime] = _created()


class DownloadToken(Base):
    """A single-use, expiring link to one export; only the token's digest is kept."""

    __tablename__ = "sar_download_tokens"

    id: Mapped[int] = _id()
    case_id: Mapped[int] = mapped_column(
        ForeignKey("sar_cases.id", ondelete="CASCADE"), index=True, info=LINK
    )
    export_id: Mapped[int] = mapped_column(
        ForeignKey("sar_exports.id", ondelete="CASCADE"), index=True, info=LINK
    )
    token_hash: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        info=structural("SHA-256 of the random token; the token is never stored"),
    )
    factor_hash: Mapped[str | None] = mapped_column(
        String(64),
        info=structural(
            "digest of the verified address keyed by the token; useless without it"
        ),
    )
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, info=STATUS)
    expires_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    used_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    created_at: Mapped[dt.datetime] = _created()
