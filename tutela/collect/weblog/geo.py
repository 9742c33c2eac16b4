"""Offline country lookup, done on the full IP in memory before it is truncated.

Policy: the website records visitors' "IP address", and "information collected
from use of [the] websites is not associated with any personally identifiable
information." The country is the only location a visit keeps; it is looked up
without any network call, from a data file shipped inside a package
(``geoip2fast``, built from MaxMind GeoLite2, CC BY-SA 4.0), a required
dependency: were it optional, its absence would silently leave every visit
without a country. An ingest that wants no country says so (`no_country`,
``tutela ingest weblog --no-country``).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address
from typing import Any

logger = logging.getLogger(__name__)

CountryLookup = Callable[[IPv4Address | IPv6Address], str | None]
"""Maps an address to an ISO 3166-1 alpha-2 code, or None when unknown."""


def no_country(ip: IPv4Address | IPv6Address) -> str | None:
    """A lookup that never knows the country."""
    return None


class BundledCountryLookup:
    """Country lookup on the data file shipped by ``geoip2fast`` (IPv4 and IPv6).

    The data file (about 2 MB) is loaded on first use.
    """

    _DATA_FILE = "geoip2fast-ipv6.dat.gz"  # covers IPv4 and IPv6

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._engine is None:
                module: Any = importlib.import_module("geoip2fast")
                self._engine = module.GeoIP2Fast(
                    verbose=False, geoip2fast_data_file=self._DATA_FILE
                )
                logger.info("web.geo.loaded")
            return self._engine

    def __call__(self, ip: IPv4Address | IPv6Address) -> str | None:
        if not ip.is_global:
            return None
        engine = self._engine if self._engine is not None else self._load()
        code = engine.lookup(str(ip)).country_code
        if isinstance(code, str) and len(code) == 2 and code.isalpha():
            return code.upper()
        return None

    def __repr__(self) -> str:
        return "BundledCountryLookup()"


def default_country_lookup() -> CountryLookup:
    """The bundled lookup (``geoip2fast``), its data loaded on first use."""
    return BundledCountryLookup()
