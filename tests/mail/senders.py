"""A small DNS zone the mail checks read instead of the network, and real DKIM signing.

This machine has no DNS, and a test must not depend on one: the zone
answers through each library's own hook (dkimpy's and authheaders'
`dnsfunc`, given to `tutela.mail.authenticate` as `txt`; pyspf's
`spf.DNSLookup`). Signing is dkimpy's, with an RSA key made for the test.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from email.message import EmailMessage

import dkim
import pytest
import spf
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SELECTOR = "s2026"


@dataclass
class Zone:
    """TXT and A records by name; every name asked for is noted."""

    txt: dict[str, str] = field(default_factory=dict)
    a: dict[str, list[str]] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def lookup(self, name: str) -> str | None:
        """A TXT record (the `txt` hook for DKIM keys and DMARC policies)."""
        key = name.rstrip(".").lower()
        self.asked.append((key, "TXT"))
        return self.txt.get(key)

    def spf_lookup(
        self, name: str, qtype: str, strict: object = True, timeout: object = None
    ) -> list[tuple[tuple[str, str], object]]:
        """pyspf's `DNSLookup` shape: ((name, type), value) pairs."""
        key = str(name).rstrip(".").lower()
        self.asked.append((key, qtype))
        if qtype == "TXT" and key in self.txt:
            return [((key, "TXT"), (self.txt[key].encode("ascii"),))]
        if qtype == "A":
            return [((key, "A"), ip) for ip in self.a.get(key, [])]
        return []


@dataclass(frozen=True)
class Signer:
    """One domain's DKIM key: signs messages, publishes its public half."""

    domain: str
    private_pem: bytes
    public_b64: str

    @classmethod
    def make(cls, domain: str) -> Signer:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        return cls(domain, private, base64.b64encode(public).decode("ascii"))

    def publish(self, zone: Zone) -> None:
        zone.txt[f"{SELECTOR}._domainkey.{self.domain}"] = (
            f"v=DKIM1; k=rsa; p={self.public_b64}"
        )

    def sign(self, raw: bytes) -> bytes:
        signature = dkim.sign(
            raw,
            SELECTOR.encode(),
            self.domain.encode(),
            self.private_pem,
            include_headers=[b"from", b"to", b"subject", b"message-id", b"date"],
        )
        return bytes(signature) + raw


def message(
    sender: str,
    *,
    subject: str,
    message_id: str,
    body: str = "Please.",
    auth: list[str] | None = None,
) -> bytes:
    """A message to the legal address, with any headers a sender chose to write."""
    msg = EmailMessage()
    for header in auth or []:
        msg["Authentication-Results"] = header
    msg["From"] = sender
    msg["To"] = "legal@jive.com"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = "Mon, 02 Mar 2026 09:15:00 +0000"
    msg.set_content(body)
    return bytes(msg).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def dmarc(zone: Zone, domain: str, policy: str = "reject") -> None:
    zone.txt[f"_dmarc.{domain}"] = f"v=DMARC1; p={policy}"


def spf_allows(zone: Zone, domain: str, network: str) -> None:
    zone.txt[domain] = f"v=spf1 ip4:{network} -all"


def answering(monkeypatch: pytest.MonkeyPatch) -> Zone:
    """An empty zone that also answers pyspf's lookups (its hook) for one test."""
    found = Zone()
    monkeypatch.setattr(spf, "DNSLookup", found.spf_lookup)
    return found
