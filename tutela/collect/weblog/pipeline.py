"""From parsed hits to stored-ready Visits and AdClicks, with counts of what went where.

Policy: the website records "content viewed, date and time and IP address",
ad clicks on other sites are recorded, and "information collected from use of
[the] websites is not associated with any personally identifiable
information." Bots are counted and dropped, bad lines are passed on as
Rejections, every other hit becomes one Visit and at most one AdClick.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from tutela.collect.weblog.adclicks import AdClick, ad_click_for, is_ad_landing
from tutela.collect.weblog.bots import is_bot
from tutela.collect.weblog.geo import CountryLookup, no_country
from tutela.collect.weblog.hits import Hit, Rejection
from tutela.collect.weblog.salts import SaltStore, SaltUnavailable
from tutela.collect.weblog.visits import Visit, VisitorHasher, build_visit

logger = logging.getLogger(__name__)


@dataclass
class WebLogCounts:
    """What happened to the lines of one run."""

    lines: int = 0
    visits: int = 0
    ad_clicks: int = 0
    bots: int = 0
    rejected: int = 0
    gpc_suppressed: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (for ``--json`` output)."""
        return asdict(self)


class WebLogPipeline:
    """Consumes ``Hit | Rejection`` and yields ``Visit | AdClick | Rejection``.

    Each AdClick follows the Visit it belongs to. ``keep_bots=True`` yields
    bot hits as visits of device class ``bot`` instead of dropping them (they
    are counted as bots either way).
    """

    def __init__(
        self,
        salts: SaltStore,
        *,
        country: CountryLookup = no_country,
        keep_bots: bool = False,
    ) -> None:
        self.hasher = VisitorHasher(salts)
        self.country = country
        self.keep_bots = keep_bots
        self.counts = WebLogCounts()

    def handle(self, hit: Hit) -> list[Visit | AdClick | Rejection]:
        """Process one hit (as the collect endpoint does) and count it."""
        self.counts.lines += 1
        bot = is_bot(hit.user_agent)
        if bot:
            self.counts.bots += 1
            if not self.keep_bots:
                return []
        try:
            visit, target = build_visit(hit, self.hasher, country=self.country)
        except SaltUnavailable as exc:
            self.counts.rejected += 1
            return [Rejection(hit.file, hit.line, exc.reason, exc.location.field)]
        self.counts.visits += 1
        out: list[Visit | AdClick | Rejection] = [visit]
        if bot:
            return out
        click = ad_click_for(visit, target, gpc=hit.gpc)
        if click is not None:
            self.counts.ad_clicks += 1
            out.append(click)
        elif hit.gpc and is_ad_landing(target):
            self.counts.gpc_suppressed += 1
        return out

    def process(
        self, records: Iterable[Hit | Rejection]
    ) -> Iterator[Visit | AdClick | Rejection]:
        """Stream the results for a stream of parsed lines."""
        for record in records:
            if isinstance(record, Rejection):
                self.counts.lines += 1
                self.counts.rejected += 1
                yield record
            else:
                yield from self.handle(record)
        logger.info("web.pipeline.done", extra={"counts": self.counts.as_dict()})
