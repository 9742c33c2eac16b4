"""Website visits and ad clicks: no key, column or index relates them to people.

Policy: "Information collected from use of Jive’s websites is not associated
with any personally identifiable information." (scope.web_unlinked)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DateTime,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    PROVENANCE,
    Base,
    _id,
    personal,
    structural,
)

# ------------------------------------------------------------ website and ads
# No foreign key, column or index here relates to accounts or people.


class WebVisit(Base):
    __tablename__ = "web_visits"

    id: Mapped[int] = _id()
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    site: Mapped[str] = mapped_column(
        String(120), info=structural("which of our websites")
    )
    page: Mapped[str] = mapped_column(
        String(500), info=personal("web_activity", "page")
    )
    viewed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), index=True, info=personal("web_activity", "viewed_at")
    )
    referrer_host: Mapped[str | None] = mapped_column(
        String(255), info=personal("web_activity", "referrer_host")
    )
    device_class: Mapped[str] = mapped_column(
        String(16), info=personal("web_activity", "device_class")
    )
    country: Mapped[str | None] = mapped_column(
        String(2), info=personal("web_activity", "country")
    )
    ip_truncated: Mapped[str] = mapped_column(
        String(64), info=personal("web_activity", "ip_truncated")
    )
    visitor_hash: Mapped[str] = mapped_column(
        String(64), info=personal("web_activity", "visitor_hash")
    )


class AdClick(Base):
    __tablename__ = "ad_clicks"

    id: Mapped[int] = _id()
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    campaign: Mapped[str | None] = mapped_column(
        String(200), info=personal("ad_clicks", "campaign")
    )
    ad: Mapped[str | None] = mapped_column(
        String(200), info=personal("ad_clicks", "ad")
    )
    clicked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), index=True, info=personal("ad_clicks", "clicked_at")
    )
    landing_page: Mapped[str] = mapped_column(
        String(500), info=personal("ad_clicks", "landing_page")
    )
    visitor_hash: Mapped[str | None] = mapped_column(
        String(64), info=personal("ad_clicks", "visitor_hash")
    )


UNLINKABLE_TABLES = ("web_visits", "ad_clicks")
