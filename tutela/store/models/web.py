"""Website visits and ad clicks: no key, column or index relates them to people.

Policy: "Information collected from use of Jive’s websites is not associated
with any personally identifiable information." (scope.web_unlinked) The rows
hold what collect.web_use.web_activity and collect.web_use.ad_clicks name:
the page viewed, when, the referrer's host, a coarse device class, the
country, the IP truncated to its network and a visitor hash keyed by a daily
salt that lives outside the database and is destroyed after a day. They are
read only for use.purposes.improve_websites_and_ads.

There is deliberately no foreign key, no account or person id, no e-mail,
no session or cookie column and no full IP address here; `tutela policy
check` fails if a foreign key ever links these tables with identifying ones.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    PROVENANCE,
    Base,
    _id,
    personal,
    structural,
)

SITE = structural("which of our own websites the record belongs to")
PAGE_CHARS = 2048  # cleaned paths are cut at 1024 characters plus a marker
CAMPAIGN_CHARS = 200  # campaign values are capped at 200 characters by the pipeline


class WebVisit(Base):
    """One page view (tutela.collect.weblog.Visit), pseudonymous and unlinkable."""

    __tablename__ = "web_visits"

    id: Mapped[int] = _id()
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    site: Mapped[str] = mapped_column(String(120), info=SITE)
    page: Mapped[str] = mapped_column(
        String(PAGE_CHARS), info=personal("web_activity", "page")
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
    """A landing from an ad (tutela.collect.weblog.AdClick); never the click id value."""

    __tablename__ = "ad_clicks"

    id: Mapped[int] = _id()
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    site: Mapped[str] = mapped_column(String(120), info=SITE)
    source: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "source")
    )
    medium: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "medium")
    )
    campaign: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "campaign")
    )
    term: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "term")
    )
    # utm_content: by convention the creative (ad) that was clicked.
    ad: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "ad")
    )
    click_kind: Mapped[str | None] = mapped_column(
        String(16), info=personal("ad_clicks", "click_kind")
    )
    clicked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), index=True, info=personal("ad_clicks", "clicked_at")
    )
    landing_page: Mapped[str] = mapped_column(
        String(PAGE_CHARS), info=personal("ad_clicks", "landing_page")
    )
    visitor_hash: Mapped[str | None] = mapped_column(
        String(64), info=personal("ad_clicks", "visitor_hash")
    )


class AdClickTotal(Base):
    """Clicks per ad and day from an ad service's export (ExportedClick).

    ``export_key`` is the natural key of the row (day, campaign, ad group, ad,
    keyword, landing page, click kind, device); re-importing an overlapping
    export replaces ``clicks`` instead of adding to it.
    """

    __tablename__ = "ad_click_totals"

    id: Mapped[int] = _id()
    export_key: Mapped[str] = mapped_column(String(64), unique=True, info=PROVENANCE)
    day: Mapped[dt.date] = mapped_column(
        Date, index=True, info=personal("ad_clicks", "click_day")
    )
    campaign: Mapped[str] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "campaign")
    )
    ad_group: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "ad_group")
    )
    ad: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "ad")
    )
    term: Mapped[str | None] = mapped_column(
        String(CAMPAIGN_CHARS), info=personal("ad_clicks", "term")
    )
    landing_page: Mapped[str | None] = mapped_column(
        String(PAGE_CHARS), info=personal("ad_clicks", "landing_page")
    )
    click_kind: Mapped[str | None] = mapped_column(
        String(16), info=personal("ad_clicks", "click_kind")
    )
    device_class: Mapped[str | None] = mapped_column(
        String(16), info=personal("ad_clicks", "device_class")
    )
    clicks: Mapped[int] = mapped_column(
        Integer, info=personal("ad_clicks", "click_count")
    )


UNLINKABLE_TABLES = ("web_visits", "ad_clicks", "ad_click_totals")
