"""Unlinkable visits: policy "information collected from use of [the] websites is not
associated with any personally identifiable information"."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
from datetime import UTC, date, datetime
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

import pytest

from tutela.collect.weblog import (
    BundledCountryLookup,
    Hit,
    MemorySaltStore,
    Rejection,
    Visit,
    VisitorHasher,
    WebLogPipeline,
    build_visit,
    ip_prefix,
    make_hit,
    read_log,
)

DATA = Path(__file__).parents[1] / "web_data"
SITE = "www.example.com"
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?![\w:])")


def _input_ips(text: str) -> set[str]:
    """Every spelling of every IP address written anywhere in the input."""
    found: set[str] = set()
    for candidate in _IPV4.findall(text) + _IPV6.findall(text):
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        found |= {candidate, str(ip)}
        if isinstance(ip, IPv6Address):
            found.add(ip.exploded)
            if ip.ipv4_mapped is not None:
                found.add(str(ip.ipv4_mapped))
    return found


def _leaks(ips: set[str], text: str) -> set[str]:
    return {
        ip for ip in ips if re.search(rf"(?<![\w:.]){re.escape(ip)}(?![\w:])", text)
    }


@pytest.mark.clause("scope.web_unlinked")
def test_no_input_ip_appears_in_any_output_reason_or_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="tutela")
    outputs: list[object] = []
    ips: set[str] = set()
    for name in ("access.log", "access_gpc.log"):
        path = DATA / name
        ips |= _input_ips(path.read_bytes().decode("utf-8", "replace"))
        records = list(read_log(path, site=SITE))
        pipeline = WebLogPipeline(MemorySaltStore(), country=lambda ip: "ZZ")
        outputs += records
        outputs += list(pipeline.process(records))
    assert {"203.0.113.10", "2001:db8:85a3::8a2e:370:7334", "192.0.2.200"} <= ips
    assert "2001:0db8:0000:0000:0000:ff00:0042:8329" in ips
    text = "\n".join(repr(o) + str(o) for o in outputs)
    reasons = "\n".join(o.reason for o in outputs if isinstance(o, Rejection))
    assert len(outputs) > 100
    assert _leaks(ips, text) == set()
    assert _leaks(ips, reasons) == set()
    assert _leaks(ips, caplog.text) == set()


@pytest.mark.clause("scope.web_unlinked")
def test_visit_keeps_only_the_truncated_network() -> None:
    assert ip_prefix(IPv4Address("203.0.113.77")) == "203.0.113.0/24"
    assert ip_prefix(IPv6Address("2001:db8:85a3:1:2::9")) == "2001:db8:85a3::/48"
    assert set(Visit.__dataclass_fields__) == {
        "site",
        "path",
        "timestamp",
        "referrer_host",
        "device",
        "country",
        "ip_prefix",
        "visitor_hash",
        "dedupe_key",
    }


def _hit(ip: str, ua: str = "Mozilla/5.0 (X11; Linux x86_64)", **kw: object) -> Hit:
    hit = make_hit(
        site=str(kw.get("site", SITE)),
        ip=ip,
        path=str(kw.get("path", "/pricing")),
        user_agent=ua,
        time=kw.get("time", datetime(2024, 3, 10, 12, 0, tzinfo=UTC)),  # type: ignore[arg-type]
    )
    assert isinstance(hit, Hit)
    return hit


@pytest.mark.clause("scope.web_unlinked")
def test_visitor_hash_is_stable_within_a_day_and_changes_across_days() -> None:
    hasher = VisitorHasher(MemorySaltStore())
    morning, _ = build_visit(_hit("192.0.2.7"), hasher)
    evening, _ = build_visit(
        _hit("192.0.2.7", time=datetime(2024, 3, 10, 23, 59, tzinfo=UTC)), hasher
    )
    next_day, _ = build_visit(
        _hit("192.0.2.7", time=datetime(2024, 3, 11, 0, 1, tzinfo=UTC)), hasher
    )
    other_site, _ = build_visit(_hit("192.0.2.7", site="shop.example.com"), hasher)
    neighbour, _ = build_visit(_hit("192.0.2.8"), hasher)
    assert morning.visitor_hash == evening.visitor_hash
    assert len(morning.visitor_hash) == 32
    assert next_day.visitor_hash != morning.visitor_hash
    assert other_site.visitor_hash != morning.visitor_hash
    assert neighbour.visitor_hash != morning.visitor_hash
    assert neighbour.ip_prefix == morning.ip_prefix


@pytest.mark.clause("scope.web_unlinked")
def test_visitor_hash_is_keyed_not_a_plain_digest_of_the_ip() -> None:
    salts = MemorySaltStore()
    visit, _ = build_visit(_hit("192.0.2.7"), VisitorHasher(salts))
    for plain in (b"192.0.2.7", SITE.encode() + b"192.0.2.7"):
        assert hashlib.sha256(plain).hexdigest()[:32] != visit.visitor_hash
    other = VisitorHasher(MemorySaltStore())  # same inputs, another salt
    assert build_visit(_hit("192.0.2.7"), other)[0].visitor_hash != visit.visitor_hash


@pytest.mark.clause("collect.web_use.web_activity")
def test_dedupe_key_is_stable_across_reingest_and_file_names(tmp_path: Path) -> None:
    source = (DATA / "access.log").read_bytes()
    copy = tmp_path / "access.log.1"
    copy.write_bytes(source.replace(b"\n", b"\r\n"))
    salts = MemorySaltStore()

    def keys(path: Path) -> list[str]:
        out = WebLogPipeline(salts).process(read_log(path, site=SITE))
        return [o.dedupe_key for o in out if isinstance(o, Visit)]

    first, again, rotated = (
        keys(DATA / "access.log"),
        keys(DATA / "access.log"),
        keys(copy),
    )
    assert first == again == rotated
    assert len(set(first)) == len(first)


@pytest.mark.clause("scope.web_unlinked")
def test_dedupe_key_is_a_keyed_digest_of_the_line() -> None:
    line = (DATA / "access.log").read_bytes().split(b"\n")[0]
    pipeline = WebLogPipeline(MemorySaltStore())
    visit = next(o for o in pipeline.process(read_log(DATA / "access.log", site=SITE)))
    assert isinstance(visit, Visit)
    assert visit.dedupe_key != hashlib.sha256(line).hexdigest()[:32]
    assert visit.dedupe_key != visit.visitor_hash


@pytest.mark.clause("collect.web_use.web_activity")
def test_country_is_looked_up_on_the_full_ip_then_only_the_code_kept() -> None:
    seen: list[str] = []

    def lookup(ip: IPv4Address | IPv6Address) -> str | None:
        seen.append(str(ip))
        return "CA"

    visit, _ = build_visit(
        _hit("198.51.100.23"), VisitorHasher(MemorySaltStore()), country=lookup
    )
    assert seen == ["198.51.100.23"]
    assert visit.country == "CA"


def test_bundled_country_lookup_works_offline() -> None:
    lookup = BundledCountryLookup()
    assert lookup(IPv4Address("8.8.8.8")) == "US"
    assert lookup(IPv4Address("192.0.2.1")) is None  # documentation range
    assert lookup(IPv6Address("2001:4860:4860::8888")) == "US"


def test_beacon_hits_need_a_valid_address_and_an_aware_time() -> None:
    bad_ip = make_hit(site=SITE, ip="203.0.113.999", path="/", user_agent=None)
    naive = make_hit(
        site=SITE, ip="192.0.2.1", path="/", user_agent=None, time=datetime(2024, 1, 1)
    )
    assert isinstance(bad_ip, Rejection) and "203.0.113" not in repr(bad_ip)
    assert isinstance(naive, Rejection) and naive.field == "time"
    hit = _hit("::ffff:192.0.2.1")
    assert hit.ip == IPv4Address("192.0.2.1")
    assert hit.time.date() == date(2024, 3, 10)
