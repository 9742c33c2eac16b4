"""Phone numbers in free text are found in E.164 and look-alikes are not.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket".
"""

from __future__ import annotations

import pytest

from tutela.collect.detect import find_phones


@pytest.mark.clause("collect.volunteered.channels")
@pytest.mark.parametrize(
    ("text", "region", "value"),
    [
        ("Call me at (212) 555-0143 ext. 204", "US", "+12125550143"),
        ("rappelez-moi au 06 12 34 56 78", "FR", "+33612345678"),
        ("Handy: 0152 28817386", "DE", "+4915228817386"),
        ("tel: +44 (0)20 7946 0321", "US", "+442079460321"),
        ("Me liga no (11) 98765-4321", "BR", "+5511987654321"),
        ("Llámenme al 612 345 678", "ES", "+34612345678"),
        ("call me on 2125550143", "US", "+12125550143"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(
    text: str, region: str, value: str
) -> None:
    [found] = find_phones(text, (region,))
    assert found.value == value
    assert text[found.start : found.end] == found.text


@pytest.mark.parametrize(
    "text",
    [
        "Order #2125550143 shipped",
        "order 4500123987",
        "Kundennummer 030 12345678",
        "Rechnung vom 15.03.2024 um 14:22",
        "logged at 2024-03-15 14:22:05",
        "total $1,299.99",
        "dial ext. 204",
        "tracking 1Z999AA10123456784",
        "invoice INV-2024-004512",
        "Order #ORD-2024-832930",
        "server 192.168.10.24",
        "firmware 10.4.2",
        "2125550143",
    ],
)
def test_look_alikes_are_not_phone_numbers(text: str) -> None:
    assert find_phones(text, ("US", "DE", "FR", "BR")) == []


def test_foreign_national_number_is_read_in_the_region_it_is_grouped_for() -> None:
    [found] = find_phones("mon numéro 06 12 34 56 78", ("US", "DE", "FR"))
    assert found.value == "+33612345678"


def test_no_regions_finds_nothing() -> None:
    assert find_phones("(212) 555-0143", ()) == []
