"""collect.web: website activity and ad clicks, collected without identities.

Policy: the website records "content viewed, date and time and IP address",
ad clicks on other sites are recorded, and "information collected from use of
[the] websites is not associated with any personally identifiable
information." See docs/web.md.
"""

from tutela.collect.weblog._fields import MAX_LINE_BYTES, Reason
from tutela.collect.weblog.adclicks import AdClick, ad_click_for, is_ad_landing
from tutela.collect.weblog.bots import is_bot
from tutela.collect.weblog.clickexport import (
    MAX_CLICKS,
    ExportedClick,
    read_click_export,
    summarize,
)
from tutela.collect.weblog.devices import DeviceClass, device_class
from tutela.collect.weblog.geo import (
    BundledCountryLookup,
    CountryLookup,
    default_country_lookup,
    no_country,
)
from tutela.collect.weblog.hits import Hit, Rejection, make_hit
from tutela.collect.weblog.ingest import (
    SITE_CHARS,
    WEBLOG_FORMATS,
    ingest_click_export,
    ingest_weblog,
    salts_for,
    store_web_records,
)
from tutela.collect.weblog.logformat import (
    LOG_FORMATS,
    LogFormat,
    parse_line,
    read_log,
)
from tutela.collect.weblog.pipeline import WebLogCounts, WebLogPipeline
from tutela.collect.weblog.salts import (
    DirectorySaltStore,
    MemorySaltStore,
    SaltStore,
    SaltUnavailable,
)
from tutela.collect.weblog.sanitize import (
    CleanTarget,
    clean_path,
    clean_target,
    mask_ips,
    referrer_host,
    scrub_value,
)
from tutela.collect.weblog.visits import Visit, VisitorHasher, build_visit, ip_prefix

__all__ = [
    "AdClick",
    "BundledCountryLookup",
    "CleanTarget",
    "CountryLookup",
    "DeviceClass",
    "DirectorySaltStore",
    "ExportedClick",
    "Hit",
    "LOG_FORMATS",
    "LogFormat",
    "MAX_CLICKS",
    "MAX_LINE_BYTES",
    "MemorySaltStore",
    "Reason",
    "Rejection",
    "SITE_CHARS",
    "SaltStore",
    "SaltUnavailable",
    "Visit",
    "VisitorHasher",
    "WEBLOG_FORMATS",
    "WebLogCounts",
    "WebLogPipeline",
    "ad_click_for",
    "build_visit",
    "clean_path",
    "clean_target",
    "default_country_lookup",
    "device_class",
    "ingest_click_export",
    "ingest_weblog",
    "ip_prefix",
    "is_ad_landing",
    "is_bot",
    "make_hit",
    "mask_ips",
    "no_country",
    "parse_line",
    "read_click_export",
    "read_log",
    "referrer_host",
    "salts_for",
    "scrub_value",
    "store_web_records",
    "summarize",
]
