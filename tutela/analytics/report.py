"""Website and ad reports: views per page and day, referrers, ad clicks per campaign.

Policy: use.purposes.improve_websites_and_ads ("to improve its websites and
serve more relevant ads") over the categories web_activity
(collect.web_use.web_activity) and ad_clicks (collect.web_use.ad_clicks),
which scope.web_unlinked keeps apart from people. Every figure here is an
aggregate: counts per page, day, referrer host or campaign. No query selects
a visitor hash, a truncated IP or a single visit.

Every read goes through the purpose gate (`tutela.access.access`) with purpose
:data:`PURPOSE`; the gate refuses any mix with identifying data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Date, cast, func
from sqlalchemy.sql.elements import ColumnElement

from tutela.access import Access, Actor, access
from tutela.store import Store
from tutela.store.models import AdClick, AdClickTotal, WebVisit

PURPOSE = "improve_websites_and_ads"
REPORT_ACTOR = Actor.system("web_analytics")
CATEGORIES = ("web_activity", "ad_clicks")


@dataclass(frozen=True)
class DayTotal:
    """All pages of one day."""

    day: dt.date
    views: int
    visitors: int
    ad_clicks: int


@dataclass(frozen=True)
class PageDay:
    """Views of one page on one day; visitors are distinct daily hashes."""

    day: dt.date
    site: str
    page: str
    views: int
    visitors: int


@dataclass(frozen=True)
class ReferrerCount:
    """Views that came from one referring host (None: direct or unknown)."""

    referrer_host: str | None
    views: int


@dataclass(frozen=True)
class CampaignClicks:
    """Ad clicks of one campaign: landings seen on our site, clicks the ad service reported."""

    campaign: str | None
    landings: int
    reported: int


@dataclass
class WebReport:
    """The report for a period (both ends inclusive; None: open)."""

    since: dt.date | None
    until: dt.date | None
    site: str | None
    days: list[DayTotal] = field(default_factory=list)
    pages: list[PageDay] = field(default_factory=list)
    referrers: list[ReferrerCount] = field(default_factory=list)
    campaigns: list[CampaignClicks] = field(default_factory=list)

    @property
    def views(self) -> int:
        """Views in the period."""
        return sum(d.views for d in self.days)

    @property
    def ad_clicks(self) -> int:
        """Ad landings in the period."""
        return sum(d.ad_clicks for d in self.days)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (dates as ISO strings)."""
        data = asdict(self)
        data["purpose"] = PURPOSE
        data["views"] = self.views
        data["ad_clicks"] = self.ad_clicks
        iso: dict[str, Any] = _iso(data)
        return iso


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _day(dialect: str, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, on either backend."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _bounds(
    since: dt.date | None, until: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(since, dt.time(), dt.UTC) if since else None
    end = (
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        if until
        else None
    )
    return start, end


@dataclass(frozen=True)
class _Window:
    since: dt.date | None
    until: dt.date | None
    site: str | None

    def where(self, column: Any, site_column: Any) -> list[ColumnElement[bool]]:
        """Conditions limiting to the period (on ``column``) and the site."""
        start, end = _bounds(self.since, self.until)
        conditions: list[ColumnElement[bool]] = []
        if start is not None:
            conditions.append(column >= start)
        if end is not None:
            conditions.append(column < end)
        if self.site is not None:
            conditions.append(site_column == self.site)
        return conditions


def web_report(
    store: Store,
    *,
    actor: Actor = REPORT_ACTOR,
    since: dt.date | None = None,
    until: dt.date | None = None,
    site: str | None = None,
    limit: int = 50,
) -> WebReport:
    """Aggregate the web tables for ``since``..``until`` (UTC days, inclusive).

    ``limit`` caps the page-day, referrer and campaign lists (largest first);
    the per-day totals are always complete.
    """
    report = WebReport(since=since, until=until, site=site)
    window = _Window(since, until, site)
    dialect = store.engine.dialect.name
    vday = _day(dialect, WebVisit.viewed_at).label("day")
    cday = _day(dialect, AdClick.clicked_at).label("day")
    visitors = func.count(func.distinct(WebVisit.visitor_hash))
    views = func.count(WebVisit.id).label("views")
    in_window = window.where(WebVisit.viewed_at, WebVisit.site)
    with access(store, actor=actor, purpose=PURPOSE) as use:
        totals = use.rows(
            vday, func.count(WebVisit.id), visitors, where=in_window, group_by=[vday]
        )
        clicks = use.rows(
            cday,
            func.count(AdClick.id),
            where=window.where(AdClick.clicked_at, AdClick.site),
            group_by=[cday],
        )
        clicks_by_day = {_as_date(d): n for d, n in clicks}
        seen: set[dt.date] = set()
        for d, n_views, uniques in totals:
            day = _as_date(d)
            seen.add(day)
            report.days.append(
                DayTotal(day, n_views, uniques, clicks_by_day.get(day, 0))
            )
        for day, n in clicks_by_day.items():
            if day not in seen:
                report.days.append(DayTotal(day, 0, 0, n))
        report.days.sort(key=lambda t: t.day)
        pages = use.rows(
            vday,
            WebVisit.site,
            WebVisit.page,
            views,
            visitors,
            where=in_window,
            group_by=[vday, WebVisit.site, WebVisit.page],
            order_by=[views.desc(), vday, WebVisit.page],
            limit=limit,
        )
        report.pages = [PageDay(_as_date(d), st, p, n, u) for d, st, p, n, u in pages]
        referrers = use.rows(
            WebVisit.referrer_host,
            views,
            where=in_window,
            group_by=[WebVisit.referrer_host],
            order_by=[views.desc(), WebVisit.referrer_host],
            limit=limit,
        )
        report.referrers = [ReferrerCount(h, n) for h, n in referrers]
        report.campaigns = _campaigns(use, window, limit=limit)
    return report


def _campaigns(use: Access, window: _Window, *, limit: int) -> list[CampaignClicks]:
    landings = use.rows(
        AdClick.campaign,
        func.count(AdClick.id),
        where=window.where(AdClick.clicked_at, AdClick.site),
        group_by=[AdClick.campaign],
    )
    merged: dict[str | None, list[int]] = {}
    for campaign, n in landings:
        merged.setdefault(campaign, [0, 0])[0] += n
    # Ad-service exports carry no site; a site filter leaves them out.
    if window.site is None:
        conditions: list[ColumnElement[bool]] = []
        if window.since is not None:
            conditions.append(AdClickTotal.day >= window.since)
        if window.until is not None:
            conditions.append(AdClickTotal.day <= window.until)
        reported = use.rows(
            AdClickTotal.campaign,
            func.sum(AdClickTotal.clicks),
            where=conditions,
            group_by=[AdClickTotal.campaign],
        )
        for campaign, n in reported:
            merged.setdefault(campaign, [0, 0])[1] += int(n or 0)
    rows = [CampaignClicks(c, ln, rp) for c, (ln, rp) in merged.items()]
    rows.sort(key=lambda r: (-(r.landings + r.reported), r.campaign or ""))
    return rows[:limit]
