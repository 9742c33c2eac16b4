"""Payment card numbers are found, checked and masked to their last four digits.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket"; a card number typed into a chat is never stored.
"""

from __future__ import annotations

import pytest

from tutela.collect.accounts.card_numbers import card_brand, luhn_valid
from tutela.collect.detect import find_cards, mask_cards


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111111111111111", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("30569309025904", "diners"),
        ("3566002020360505", "jcb"),
        ("6200000000000005", "unionpay"),
        ("6759649826438453", "maestro"),
    ],
)
def test_every_common_brand_is_recognised(number: str, brand: str) -> None:
    assert luhn_valid(number)
    assert card_brand(number) == brand
    [found] = find_cards(f"card: {number}.")
    assert found.value == number


@pytest.mark.clause("collect.volunteered.channels")
def test_grouped_card_is_found_with_digits_only_value() -> None:
    [found] = find_cards("it's 4111 1111 1111 1111 exp 12/27")
    assert (found.text, found.value) == ("4111 1111 1111 1111", "4111111111111111")
    [amex] = find_cards("Amex 3782-822463-10005")
    assert amex.value == "378282246310005"


@pytest.mark.parametrize(
    "text",
    [
        "ref 4111111111111112",
        "order 1234567812345678",
        "IMEI 354401461858799",
        "serial 5846-2134-5167",
        "price 12.4111111111111111",
        "mixed 4111 1111-1111 1111",
        "digits ٤١١١١١١١١١١١١١١١",
    ],
)
def test_luhn_failures_and_look_alikes_are_not_cards(text: str) -> None:
    assert find_cards(text) == []


@pytest.mark.clause("collect.volunteered.channels")
def test_mask_cards_keeps_only_the_last_four_digits() -> None:
    masked = mask_cards("Card 4111 1111 1111 1111 and 378282246310005, order 12345.")
    assert masked == "Card **** **** **** 1111 and ***********0005, order 12345."
    assert "4111 1111" not in masked


def test_mask_cards_leaves_text_without_cards_alone() -> None:
    assert (
        mask_cards("nothing 4111111111111112 here") == "nothing 4111111111111112 here"
    )
