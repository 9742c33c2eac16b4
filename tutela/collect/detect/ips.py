"""Find IPv4 and IPv6 addresses in free text.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Customers paste their public IP address into
tickets about SIP registration and firewalls. Candidates are validated by the
standard library's `ipaddress`; the value is the compressed form. Dotted
version numbers ("firmware 10.4.2.1") are left alone when a version word or a
"v" comes right before them.
"""

from __future__ import annotations

import ipaddress
import re

from tutela.collect.detect.model import Detection

_IPV4 = re.compile(
    r"(?<![0-9A-Za-z.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?!\.?[0-9]|[A-Za-z])"
)
# Hex groups and colons with at least two colons, optionally ending in a dotted
# IPv4 part (::ffff:192.0.2.1). `ipaddress` decides whether it really is one.
_IPV6 = re.compile(
    r"(?<![0-9A-Za-z:.])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)"
    r"[0-9A-Fa-f:]{2,39}(?:(?<=:)(?:[0-9]{1,3}\.){3}[0-9]{1,3})?"
    r"(?![0-9A-Za-z]|:[0-9A-Fa-f]|\.[0-9])"
)
_VERSION_CONTEXT = re.compile(
    r"(?:\bv|\bversion|\bver\.?|\bfirmware|\bbuild|\brelease|\bversión|\bversão"
    r"|\bfw|\bsoftware)\s*[:#]?\s*$",
    re.IGNORECASE,
)


def _looks_like_version(text: str, start: int) -> bool:
    return _VERSION_CONTEXT.search(text[max(0, start - 16) : start]) is not None


def find_ips(text: str) -> list[Detection]:
    """Return every valid IPv4 or IPv6 address in `text`."""
    found: list[Detection] = []
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            raw = match.group(0)
            if raw.strip(":") == "":
                continue
            try:
                address = ipaddress.ip_address(raw)
            except ValueError:
                continue
            if address.version == 4 and _looks_like_version(text, match.start()):
                continue
            scope = "private" if address.is_private else "public"
            found.append(
                Detection(
                    kind="ip",
                    start=match.start(),
                    end=match.end(),
                    text=raw,
                    value=address.compressed,
                    reason=f"IPv{address.version} address ({scope}), validated",
                )
            )
    found.sort(key=lambda detection: detection.start)
    return found
