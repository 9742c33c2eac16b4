"""Emails, IBANs and IP addresses in free text are found and normalised.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket".
"""

from __future__ import annotations

import pytest
from stdnum import iban as stdnum_iban
from stdnum.iso7064 import mod_97_10

from tutela.collect.detect import find_emails, find_ibans, find_ips, iban_valid


@pytest.mark.clause("collect.volunteered.channels")
def test_emails_are_found_and_lower_cased() -> None:
    text = "mail Jane.Doe+tel@Example.CO.uk. or <josé@correo.es>"
    assert [d.value for d in find_emails(text)] == [
        "jane.doe+tel@example.co.uk",
        "josé@correo.es",
    ]


@pytest.mark.parametrize(
    "text", ["x@y", "user@localhost", "a@b.c", "v1.2@3.4", "@home"]
)
def test_email_look_alikes_are_not_emails(text: str) -> None:
    assert find_emails(text) == []


@pytest.mark.clause("collect.volunteered.channels")
def test_ibans_are_checked_and_compacted() -> None:
    [found] = find_ibans("IBAN: de89 3704 0044 0532 0130 00 please")
    assert found.value == "DE89370400440532013000"
    assert found.text == "de89 3704 0044 0532 0130 00"


@pytest.mark.parametrize(
    "text", ["DE89 3704 0044 0532 0130 01", "XX12 3456 7890 1234", "RF18539007547034"]
)
def test_iban_with_bad_checksum_or_country_is_ignored(text: str) -> None:
    assert find_ibans(text) == []
    assert not iban_valid(text.replace(" ", ""))


@pytest.mark.parametrize(
    "text",
    [
        "GB82 WEST 1234 5698 7654 32",
        "NO93 8601 1117 947",
        "MT84MALT011000012345MTLCAST001S",
        "BE68 5390 0754 7034",
    ],
)
def test_ibans_of_every_length_are_found_whole(text: str) -> None:
    [found] = find_ibans(f"send it to {text}. Thanks")
    assert found.text == text and found.value == text.replace(" ", "")


def test_an_iban_must_fit_its_countrys_format_not_only_mod_97() -> None:
    # Germany's account part is 18 digits; two letters at its end keep the
    # length and, with check digits made for them, the mod-97 check.
    bban = "3704004405320130AB"
    candidate = "DE" + stdnum_iban.calc_check_digits("DE00" + bban) + bban
    assert mod_97_10.is_valid(candidate[4:] + candidate[:4])
    assert find_ibans(f"pay {candidate} now") == []
    assert not iban_valid(candidate)


@pytest.mark.clause("collect.volunteered.channels")
def test_ips_are_validated_and_compressed() -> None:
    text = "from 203.0.113.45, v6 2001:DB8:0:0:0:0:0:1; port 192.0.2.1:5060."
    assert [d.value for d in find_ips(text)] == [
        "203.0.113.45",
        "2001:db8::1",
        "192.0.2.1",
    ]


@pytest.mark.parametrize(
    "text",
    ["firmware 10.4.2.1", "999.1.1.1", "at 14:22:05", "mac 00:1A:2B:3C:4D:5E", "ok ::"],
)
def test_ip_look_alikes_are_not_ips(text: str) -> None:
    assert find_ips(text) == []
