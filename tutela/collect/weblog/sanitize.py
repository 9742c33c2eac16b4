"""Path and query cleaning before anything from a web request is stored.

Policy: "information collected from use of [the] websites is not associated
with any personally identifiable information." A URL is the place where a
visitor's identity leaks most often (password-reset tokens, e-mail addresses
in unsubscribe links, phone numbers in number-search pages, session ids), so
every path is rebuilt here from its segments, each judged on its own:

* the query string is dropped; only campaign parameters (utm_*) and the kind
  of click id (gclid/msclkid/fbclid) leave this module, and they go to ad
  attribution, never back into the path;
* path parameters after ``;`` (``;jsessionid=...``) are dropped;
* a segment holding an e-mail address becomes ``:email``, a phone number
  ``:phone``, an IP address ``:ip`` and a token (UUID, JWT, long hex or
  base64 string, ``token=``/``key=``/``session=``/``sid=`` pairs) ``:token``.

Everything here is pure and cached: paths repeat a great deal in access logs.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlsplit

CAMPAIGN_PARAMS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)
CLICK_ID_PARAMS = ("gclid", "msclkid", "fbclid")

MAX_PATH_CHARS = 1024
MAX_SEGMENTS = 32
MAX_VALUE_CHARS = 200

_EMAIL = re.compile(r"[^\s@/]+@[^\s@/]+\.[A-Za-z]{2,}")
_PHONE_CHARS = re.compile(r"(?:tel:)?\+?[\d\s().\-/]+", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}")
_JWT = re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*")
_HEX = re.compile(r"(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{16,}")
_B64 = re.compile(r"[A-Za-z0-9_\-+/=~.]{20,}")
_SECRET_PAIR = re.compile(
    r"(?:^|[&;,])(?:token|access_token|auth|key|api_key|apikey|session|sessionid|"
    r"sid|jsessionid|phpsessid|password|passwd|pwd|secret|signature|sig|code|otp)"
    r"=",
    re.IGNORECASE,
)
_IPV4_TEXT = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)")
_IPV6_TEXT = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\d)"
)


@dataclass(frozen=True, slots=True)
class CleanTarget:
    """A request target after cleaning: a safe path plus attribution hints."""

    path: str
    campaign: tuple[tuple[str, str], ...] = ()
    click_kind: str | None = None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _is_phone(text: str) -> bool:
    if not _PHONE_CHARS.fullmatch(text):
        return False
    digits = sum(ch.isdigit() for ch in text)
    return 7 <= digits <= 15


def _is_token(text: str) -> bool:
    if _UUID.fullmatch(text) or _JWT.search(text) or _HEX.fullmatch(text):
        return True
    if _SECRET_PAIR.search(text):
        return True
    if len(text) >= 20 and _B64.fullmatch(text):
        has_digit = any(ch.isdigit() for ch in text)
        has_upper = any(ch.isupper() for ch in text)
        has_lower = any(ch.islower() for ch in text)
        # A slug ("small-business-phone-guide-2024") is lower case words and
        # hyphens; random tokens mix cases and digits or run long unbroken.
        if has_digit and has_upper and has_lower:
            return True
        longest_run = max(len(part) for part in re.split(r"[-_.~]", text))
        return longest_run >= 32 or (has_digit and longest_run >= 20)
    return False


def classify(text: str) -> str | None:
    """Placeholder for a piece of text that identifies someone, else None.

    Returns ``":email"``, ``":phone"``, ``":ip"`` or ``":token"``.
    """
    if not text:
        return None
    if "@" in text and _EMAIL.search(text):
        return ":email"
    if _is_ip(text):
        return ":ip"
    if _is_phone(text):
        return ":phone"
    if _is_token(text):
        return ":token"
    return None


def scrub_value(value: str) -> str | None:
    """Clean a campaign parameter value: placeholder if identifying, else trimmed.

    Returns None for an empty value.
    """
    value = value.strip()
    if not value:
        return None
    placeholder = classify(value)
    if placeholder is not None:
        return placeholder
    return value[:MAX_VALUE_CHARS]


def _clean_segment(raw: str) -> str:
    raw = raw.split(";", 1)[0]
    if not raw:
        return raw
    decoded = unquote(raw)
    placeholder = classify(decoded)
    if placeholder is not None:
        return placeholder
    # Re-encode from the decoded form so equal paths compare equal.
    return quote(decoded, safe="!$&'()*+,=:@-._~")


@lru_cache(maxsize=65536)
def clean_path(path: str) -> str:
    """Rebuild a URL path segment by segment, replacing identifying segments."""
    segments = path.split("/")[1:]
    last = len(segments) - 1
    cleaned: list[str] = []
    for index, raw in enumerate(segments):
        if raw == "" and index != last:
            continue  # collapse "//"; keep a trailing slash
        if len(cleaned) >= MAX_SEGMENTS:
            cleaned.append(":truncated")
            break
        cleaned.append(_clean_segment(raw))
    result = "/" + "/".join(cleaned)
    if len(result) > MAX_PATH_CHARS:
        result = result[: MAX_PATH_CHARS - len("/:truncated")] + "/:truncated"
    return result


@lru_cache(maxsize=65536)
def clean_target(target: str) -> CleanTarget:
    """Split a request target into a cleaned path and attribution hints.

    ``target`` is what the request line carried: ``/path?query`` or an
    absolute ``http://host/path?query`` (proxy form).
    """
    if target.startswith("/"):
        path, _, rest = target.partition("?")
        path = path.partition("#")[0]
        query = rest.partition("#")[0]
    else:
        try:
            parts = urlsplit(target)
        except ValueError:
            return CleanTarget(path="/")
        path, query = parts.path, parts.query
    campaign: list[tuple[str, str]] = []
    click_kind: str | None = None
    if query:
        for name, value in parse_qsl(query, keep_blank_values=True):
            key = name.lower()
            if key in CAMPAIGN_PARAMS:
                cleaned = scrub_value(value)
                if cleaned is not None and all(k != key for k, _ in campaign):
                    campaign.append((key, cleaned))
            elif key in CLICK_ID_PARAMS and value.strip() and click_kind is None:
                # Only the kind of click id survives, never its value.
                click_kind = key
    return CleanTarget(
        path=clean_path(path or "/"),
        campaign=tuple(sorted(campaign)),
        click_kind=click_kind,
    )


@lru_cache(maxsize=16384)
def referrer_host(referrer: str | None) -> str | None:
    """The host of a referrer URL, lower case, without port or user info.

    An IP-literal host becomes ``":ip"``; anything unparsable becomes None.
    """
    if not referrer or referrer == "-":
        return None
    try:
        parts = urlsplit(referrer if "//" in referrer else "//" + referrer)
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    if _is_ip(host):
        return ":ip"
    host = host.rstrip(".")
    if not re.fullmatch(r"[a-z0-9.\-_]{1,253}", host):
        return None
    return host


def mask_ips(text: str) -> str:
    """Replace every IPv4/IPv6 address in ``text`` by ``<ip>``.

    Used as a last line of defence on any message that might echo input.
    """

    def _v6(match: re.Match[str]) -> str:
        return "<ip>" if _is_ip(match.group(0)) else match.group(0)

    # IPv6 first: its pattern also covers an embedded IPv4 (::ffff:a.b.c.d).
    return _IPV4_TEXT.sub("<ip>", _IPV6_TEXT.sub(_v6, text))
