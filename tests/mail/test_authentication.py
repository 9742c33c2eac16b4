"""The listener's own SPF, DKIM and DMARC check, and what survives arrival.

Clauses: rights.access.verification and changes.subscribe (a From address is
trusted only as far as results nobody but us wrote say). The checks are
the libraries' (pyspf, dkimpy, authheaders); messages are signed for real
with dkimpy and a key made here; DNS answers come from a zone through the
libraries' own hooks (this machine has no DNS).
"""

from __future__ import annotations

import pytest

from tests.mail.senders import (
    Signer,
    Zone,
    answering,
    dmarc,
    message,
    spf_allows,
)
from tutela.mail import LISTENER_AUTHSERV_ID, authenticate, parse, strip_untrusted

# Reserved names under TLDs the public suffix list knows (see the last test).
BANK = "example.com"
EVIL = "example.net"
PEER = "127.0.0.1"


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Zone:
    return answering(monkeypatch)


def check(
    raw: bytes, zone: Zone, *, mail_from: str, ip: str = PEER
) -> tuple[str, bytes]:
    sender = parse(raw).sender
    header = authenticate(
        raw,
        from_address=sender,
        ip=ip,
        helo="client.example",
        mail_from=mail_from,
        txt=zone.lookup,
    )
    return header, header.encode() + b"\r\n" + raw


def trusted(raw: bytes) -> tuple[list[str], bool]:
    parsed = parse(raw, trusted={LISTENER_AUTHSERV_ID})
    return parsed.auth_failures, parsed.dmarc_pass


@pytest.mark.clause("rights.access.verification")
def test_a_message_signed_by_its_from_domain_passes_dkim_and_dmarc(zone: Zone) -> None:
    signer = Signer.make(BANK)
    signer.publish(zone)
    dmarc(zone, BANK)
    raw = signer.sign(
        message(f"ann@{BANK}", subject="Unsubscribe", message_id="<a@example.com>")
    )
    header, stamped = check(raw, zone, mail_from=f"bounce@{BANK}")
    assert f"dkim=pass header.d={BANK}" in header
    assert f"dmarc=pass header.from={BANK}" in header
    # SPF found no record for the bank (none), which is no failure.
    assert "spf=none" in header and trusted(stamped) == ([], True)
    assert (f"_dmarc.{BANK}", "TXT") in zone.asked


@pytest.mark.clause("rights.access.verification")
def test_a_message_changed_after_signing_fails_dkim_and_dmarc(zone: Zone) -> None:
    signer = Signer.make(BANK)
    signer.publish(zone)
    dmarc(zone, BANK)
    raw = signer.sign(
        message(f"ann@{BANK}", subject="Unsubscribe", message_id="<b@example.com>")
    ).replace(b"Please.", b"Please stop everything.")
    header, stamped = check(raw, zone, mail_from=f"bounce@{BANK}")
    assert "dkim=fail" in header and "dmarc=fail" in header
    assert trusted(stamped) == (["dkim", "dmarc"], False)


@pytest.mark.clause("changes.subscribe")
def test_a_signature_of_another_domain_does_not_pass_dmarc_for_the_from(
    zone: Zone,
) -> None:
    attacker = Signer.make(EVIL)
    attacker.publish(zone)
    dmarc(zone, BANK)
    raw = attacker.sign(
        message(f"victim@{BANK}", subject="Unsubscribe", message_id="<c@example.net>")
    )
    header, stamped = check(raw, zone, mail_from=f"x@{EVIL}")
    assert f"dkim=pass header.d={EVIL}" in header  # a real signature, not aligned
    assert f"dmarc=fail header.from={BANK}" in header
    assert trusted(stamped)[1] is False


@pytest.mark.clause("rights.access.verification")
def test_spf_from_an_allowed_address_aligns_dmarc_without_a_signature(
    zone: Zone,
) -> None:
    spf_allows(zone, BANK, "127.0.0.0/8")
    dmarc(zone, BANK)
    raw = message(f"ann@{BANK}", subject="Unsubscribe", message_id="<d@example.com>")
    header, stamped = check(raw, zone, mail_from=f"bounce@{BANK}")
    assert "spf=pass" in header and "dkim=none" in header and "dmarc=pass" in header
    assert trusted(stamped) == ([], True)
    assert (BANK, "TXT") in zone.asked  # pyspf asked through its hook


@pytest.mark.clause("rights.access.verification")
def test_spf_from_an_address_the_domain_does_not_allow_fails(zone: Zone) -> None:
    spf_allows(zone, BANK, "192.0.2.0/24")
    dmarc(zone, BANK)
    raw = message(f"ann@{BANK}", subject="Unsubscribe", message_id="<e@example.com>")
    header, stamped = check(raw, zone, mail_from=f"bounce@{BANK}")
    assert "spf=fail" in header and "dmarc=fail" in header
    assert trusted(stamped) == (["dmarc", "spf"], False)


@pytest.mark.clause("changes.subscribe")
def test_a_domain_without_a_dmarc_policy_never_passes(zone: Zone) -> None:
    spf_allows(zone, BANK, "127.0.0.0/8")
    raw = message(f"ann@{BANK}", subject="Unsubscribe", message_id="<f@example.com>")
    header, stamped = check(raw, zone, mail_from=f"bounce@{BANK}")
    assert "spf=pass" in header and "dmarc=none" in header
    assert trusted(stamped) == ([], False)


@pytest.mark.clause("rights.access.verification")
def test_arrival_removes_every_result_header_but_the_trusted_mtas() -> None:
    raw = message(
        "ann@bank.example",
        subject="Unsubscribe",
        message_id="<g@bank.example>",
        auth=[
            "mx.jive.example; dmarc=fail header.from=bank.example",
            "forged.example; dmarc=pass header.from=bank.example",
            "(a comment) mx.jive.example; dmarc=pass header.from=bank.example",
        ],
    )
    # Spelled and folded the ways a parser still reads as the same header.
    raw = raw.replace(
        b"Authentication-Results: forged.example;",
        b"authentication-results : forged.example;\r\n\t",
    )
    edge = strip_untrusted(raw, None)
    assert b"uthentication-results" not in edge.lower()
    assert edge.endswith(b"Please.\r\n") and b"Subject: Unsubscribe" in edge
    behind_mta = strip_untrusted(raw, "MX.jive.example")
    assert b"forged.example" not in behind_mta
    assert behind_mta.count(b"mx.jive.example;") == 2
    # The MTA's own header is the topmost one: its fail stands.
    assert parse(behind_mta, trusted={"mx.jive.example"}).auth_failures == ["dmarc"]


@pytest.mark.clause("changes.subscribe")
def test_a_signature_under_a_tld_the_suffix_list_lacks_aligns_nothing(
    zone: Zone,
) -> None:
    # authheaders would take "zzz" as the organisational domain of both.
    attacker = Signer.make("evil.zzz")
    attacker.publish(zone)
    dmarc(zone, "bank.zzz")
    raw = attacker.sign(
        message("victim@bank.zzz", subject="Unsubscribe", message_id="<h@evil.zzz>")
    )
    header, stamped = check(raw, zone, mail_from="x@evil.zzz")
    assert "dkim=pass header.d=evil.zzz" in header
    assert "dmarc=permerror header.from=bank.zzz" in header
    assert trusted(stamped) == ([], False)


@pytest.mark.clause("changes.subscribe")
def test_a_hyphenated_from_domain_signed_by_itself_passes(zone: Zone) -> None:
    signer = Signer.make("mail-host.example.com")
    signer.publish(zone)
    dmarc(zone, "example.com")  # the organisational domain's policy applies
    raw = signer.sign(
        message(
            "ann@mail-host.example.com",
            subject="Unsubscribe",
            message_id="<i@mail-host.example.com>",
        )
    )
    header, stamped = check(raw, zone, mail_from="")
    assert "dmarc=pass header.from=mail-host.example.com" in header
    assert trusted(stamped) == ([], True)
