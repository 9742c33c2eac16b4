"""The website and ads report: a console page with an inline SVG chart, and its JSON.

Policy: use.purposes.improve_websites_and_ads over web_activity
(collect.web_use.web_activity) and ad_clicks (collect.web_use.ad_clicks).
Only aggregates are shown; no visitor hash, truncated IP or single visit
ever reaches the page (scope.web_unlinked). The page loads nothing from
another origin: no script, no font, no stylesheet. Page and JSON are open
only to staff whose role may use the purpose (the JSON with an API token).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tutela.analytics.report import DayTotal, web_report
from tutela.errors import InvalidInput
from tutela.web._headers import CONTENT_SECURITY_POLICY
from tutela.web._webstore import WebStoreDep
from tutela.web.deps import require_purpose

router = APIRouter(tags=["web"])
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
)

SinceQuery = Annotated[
    dt.date | None, Query(description="First UTC day (inclusive), YYYY-MM-DD.")
]
UntilQuery = Annotated[
    dt.date | None, Query(description="Last UTC day (inclusive), YYYY-MM-DD.")
]
SiteQuery = Annotated[
    str | None, Query(max_length=120, description="Only this web site.")
]
LimitQuery = Annotated[
    int, Query(ge=1, le=1000, description="Rows per list (pages, referrers).")
]

CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 720, 220, 48, 28, 12


@dataclass(frozen=True)
class Bar:
    """One day of the chart, in SVG user units."""

    day: str
    views: int
    ad_clicks: int
    x: float
    width: float
    y: float
    height: float
    click_y: float
    click_height: float
    label: bool


def chart_bars(days: list[DayTotal]) -> list[Bar]:
    """Bars for daily views with the day's ad clicks drawn inside them."""
    if not days:
        return []
    top = max(max(d.views, d.ad_clicks) for d in days) or 1
    plot_w, plot_h = CHART_W - PAD_L - 8, CHART_H - PAD_B - PAD_T
    step = plot_w / len(days)
    every = max(1, len(days) // 8)
    bars = []
    for i, d in enumerate(days):
        height = plot_h * d.views / top
        click_height = plot_h * d.ad_clicks / top
        bars.append(
            Bar(
                day=d.day.isoformat(),
                views=d.views,
                ad_clicks=d.ad_clicks,
                x=round(PAD_L + i * step + step * 0.1, 2),
                width=round(step * 0.8, 2),
                y=round(PAD_T + plot_h - height, 2),
                height=round(height, 2),
                click_y=round(PAD_T + plot_h - click_height, 2),
                click_height=round(click_height, 2),
                label=i % every == 0 or i == len(days) - 1,
            )
        )
    return bars


FormText = Annotated[str | None, Query(max_length=120)]


def _form_day(value: str | None, field: str) -> dt.date | None:
    # An empty form field means "no bound".
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("give a day as YYYY-MM-DD", field=field) from None


@router.get(
    "/console/web",
    response_class=HTMLResponse,
    dependencies=[Depends(require_purpose("improve_websites_and_ads"))],
)
def read_web_report_page(
    store: WebStoreDep,
    since: FormText = None,
    until: FormText = None,
    site: FormText = None,
    limit: LimitQuery = 50,
) -> HTMLResponse:
    """The staff console page: chart, pages per day, referrers, campaigns."""
    report = web_report(
        store,
        since=_form_day(since, "since"),
        until=_form_day(until, "until"),
        site=site or None,
        limit=limit,
    )
    top = max((max(d.views, d.ad_clicks) for d in report.days), default=0)
    html = _env.get_template("web_report.html").render(
        report=report,
        bars=chart_bars(report.days),
        top=top,
        chart={
            "w": CHART_W,
            "h": CHART_H,
            "left": PAD_L,
            "bottom": PAD_B,
            "top": PAD_T,
        },
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/api/web/report",
    dependencies=[Depends(require_purpose("improve_websites_and_ads"))],
)
def read_web_report(
    store: WebStoreDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    site: SiteQuery = None,
    limit: LimitQuery = 50,
) -> dict[str, Any]:
    """The same report as JSON, in the shared ``{"ok": true, …}`` envelope."""
    report = web_report(store, since=since, until=until, site=site, limit=limit)
    return {"ok": True, **report.as_dict()}
