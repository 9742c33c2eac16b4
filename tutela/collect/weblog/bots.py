"""Bot detection by user agent, so that robots are counted but never stored as visits.

Policy: the website records "content viewed, date and time and IP address" of
its *visitors*. Crawlers, monitors and scripts are not visitors: the web-log
pipeline counts their hits separately and keeps nothing else about them.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Lower-case substrings that mark automated clients. Kept deliberately broad:
# a false positive loses one anonymous page view, a false negative only adds one.
_BOT_PATTERN = re.compile(
    r"bot\b|crawl|spider|slurp|scrap|fetch|archiver|indexer|"
    r"curl/|wget/|httpie|python-requests|python-urllib|aiohttp|httpx|go-http-client|"
    r"java/|okhttp|libwww|lwp::|php/|ruby|axios|node-fetch|postman|insomnia|"
    r"headlesschrome|phantomjs|selenium|puppeteer|playwright|lighthouse|"
    r"pagespeed|gtmetrix|pingdom|uptime|statuscake|monitor|check_http|nagios|"
    r"zgrab|masscan|nmap|nikto|sqlmap|nuclei|censys|shodan|expanse|"
    r"facebookexternalhit|facebookcatalog|embedly|preview|whatsapp|"
    r"skypeuripreview|slack-imgproxy|discordbot|telegrambot|mediapartners|"
    r"adsbot|feedfetcher|feedparser|rss|validator|^mozilla/5\.0$|^-$"
)


@lru_cache(maxsize=8192)
def is_bot(user_agent: str | None) -> bool:
    """True when the user agent is missing or names an automated client."""
    if user_agent is None:
        return True
    ua = user_agent.strip().lower()
    if not ua:
        return True
    return _BOT_PATTERN.search(ua) is not None
