"""Counts of mail asked for per address, so that nobody can mail-bomb somebody else.

Clauses: changes.subscribe and rights.access.request (anyone may ask, by
form, API or mail, for something that mails an address; the address is
typed by whoever asks). `tutela.mail.limits` counts each such request per
address in clock-hour and UTC-day windows. Only a keyed digest of the
address is stored (HMAC with the store's key ring), never the address, and
a row is deleted once its window has ended.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import Base, structural


class MailLimit(Base):
    """How many mail-causing requests named one address in one window."""

    __tablename__ = "mail_limits"

    digest: Mapped[str] = mapped_column(
        String(64),
        primary_key=True,
        info=structural(
            "keyed HMAC of an address that asked for mail, never the address; "
            "kept only until its window ends, to count requests"
        ),
    )
    span: Mapped[str] = mapped_column(
        String(8), primary_key=True, info=structural("window length: hour or day")
    )
    window_start: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        primary_key=True,
        info=structural("start of the counting window"),
    )
    window_end: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        index=True,
        info=structural("end of the counting window; the row is deleted after it"),
    )
    count: Mapped[int] = mapped_column(
        Integer, info=structural("requests counted in the window")
    )
