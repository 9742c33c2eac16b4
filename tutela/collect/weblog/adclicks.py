"""Ad clicks read from landing URLs, honouring Global Privacy Control.

Policy: ad clicks on other sites are recorded, and "information collected
from use of [the] websites is not associated with any personally identifiable
information." A landing URL with utm_* parameters or a click id (gclid,
msclkid, fbclid) becomes an :class:`AdClick` that keeps the campaign, source,
medium, term and content (each scrubbed of e-mails, phones and tokens), the
*kind* of click id and nothing of its value: a click id is the ad network's
key to the person who clicked, so not even a keyed hash of it is kept.
A request that carries ``Sec-GPC: 1`` is never attributed to an ad.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tutela.collect.weblog.sanitize import CleanTarget
from tutela.collect.weblog.visits import Visit

CLICK_KINDS = {"gclid": "google_ads", "msclkid": "microsoft_ads", "fbclid": "meta"}
"""Click-id parameter -> ad network it belongs to."""


@dataclass(frozen=True, slots=True)
class AdClick:
    """A landing on the site from an ad, without the click id itself."""

    site: str
    timestamp: datetime
    landing_path: str
    source: str | None
    medium: str | None
    campaign: str | None
    term: str | None
    content: str | None
    click_kind: str | None
    visitor_hash: str
    dedupe_key: str


def is_ad_landing(target: CleanTarget) -> bool:
    """True when a cleaned target carries campaign parameters or a click id."""
    return bool(target.campaign) or target.click_kind is not None


def ad_click_for(visit: Visit, target: CleanTarget, *, gpc: bool) -> AdClick | None:
    """The AdClick for a visit's landing URL, or None.

    None when the URL is no ad landing, and always None under Global Privacy
    Control (``gpc=True``): the visit is still counted, the ad is not credited.
    """
    if gpc or not is_ad_landing(target):
        return None
    params = dict(target.campaign)
    return AdClick(
        site=visit.site,
        timestamp=visit.timestamp,
        landing_path=visit.path,
        source=params.get("utm_source"),
        medium=params.get("utm_medium"),
        campaign=params.get("utm_campaign"),
        term=params.get("utm_term"),
        content=params.get("utm_content"),
        click_kind=target.click_kind,
        visitor_hash=visit.visitor_hash,
        dedupe_key=visit.dedupe_key,
    )
