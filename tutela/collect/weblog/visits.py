"""Turn a parsed hit into a Visit that cannot be linked back to a person.

Policy: "information collected from use of [the] websites is not associated
with any personally identifiable information." A :class:`Visit` keeps only
the site, a cleaned page path, the UTC time, the referrer's host, a coarse
device class, the country, the IP truncated to its network (IPv4 /24, IPv6
/48) and a visitor hash: HMAC-SHA256 keyed by the day's salt over (site, full
IP, user agent), truncated to 128 bits. The full IP and the user agent are
used in memory only and dropped; once the day's salt is destroyed nobody can
recompute the hash, so visits of different days cannot be joined either.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime
from ipaddress import IPv4Address, IPv6Address

from tutela.collect.weblog.devices import DeviceClass, device_class
from tutela.collect.weblog.geo import CountryLookup, no_country
from tutela.collect.weblog.hits import Hit
from tutela.collect.weblog.salts import SaltStore
from tutela.collect.weblog.sanitize import CleanTarget, clean_target, referrer_host

HASH_HEX_CHARS = 32  # 128 bits: no collisions in practice, no more than needed
_V6_MASK = ((1 << 48) - 1) << 80


@dataclass(frozen=True, slots=True)
class Visit:
    """One page view, pseudonymous and unlinkable once the day's salt is gone.

    ``dedupe_key`` is a keyed digest of the raw log line (same salt), stable
    when a log is ingested twice on the same day, useless to reverse.
    """

    site: str
    path: str
    timestamp: datetime
    referrer_host: str | None
    device: DeviceClass
    country: str | None
    ip_prefix: str
    visitor_hash: str
    dedupe_key: str


def ip_prefix(ip: IPv4Address | IPv6Address) -> str:
    """The network of an address: IPv4 /24 or IPv6 /48, as a CIDR string."""
    if isinstance(ip, IPv4Address):
        return str(IPv4Address(int(ip) & 0xFFFFFF00)) + "/24"
    return str(IPv6Address(int(ip) & _V6_MASK)) + "/48"


def _field(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(4, "big") + data


class VisitorHasher:
    """Keyed hashes under the salt of each UTC day, fetched from a SaltStore.

    The salt is asked for on every hash, so a ``destroy_before`` on the store
    takes effect at once, even for a long-lived hasher.
    """

    def __init__(self, salts: SaltStore) -> None:
        self._salts = salts

    def visitor_hash(
        self,
        day: date,
        site: str,
        ip: IPv4Address | IPv6Address,
        user_agent: str | None,
    ) -> str:
        """HMAC-SHA256(salt(day), site | full IP | user agent), hex, truncated."""
        salt = self._salts.salt_for(day)  # raises SaltUnavailable for closed days
        message = (
            b"visitor\x00" + _field(site) + _field(str(ip)) + _field(user_agent or "")
        )
        return hmac.digest(salt, message, "sha256").hex()[:HASH_HEX_CHARS]

    def dedupe_key(self, day: date, raw: bytes) -> str:
        """HMAC-SHA256(salt(day), raw line): stable per line, not reversible to the IP."""
        salt = self._salts.salt_for(day)
        return hmac.digest(salt, b"dedupe\x00" + raw, "sha256").hex()[:HASH_HEX_CHARS]


def build_visit(
    hit: Hit,
    hasher: VisitorHasher,
    *,
    country: CountryLookup = no_country,
) -> tuple[Visit, CleanTarget]:
    """The Visit for a hit, plus the cleaned target (for ad attribution).

    Raises :class:`~tutela.collect.weblog.salts.SaltUnavailable` when the hit's
    day is closed.
    """
    day = hit.time.date()
    target = clean_target(hit.target)
    visit = Visit(
        site=hit.site,
        path=target.path,
        timestamp=hit.time,
        referrer_host=referrer_host(hit.referrer),
        device=device_class(hit.user_agent),
        country=country(hit.ip),
        ip_prefix=ip_prefix(hit.ip),
        visitor_hash=hasher.visitor_hash(day, hit.site, hit.ip, hit.user_agent),
        dedupe_key=hasher.dedupe_key(day, hit.raw),
    )
    return visit, target
