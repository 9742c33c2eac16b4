"""One table of card brands: what detection masks as a card, payment takes as one.

Clauses: collect.requested (a card taken for payment is tokenized) and
collect.volunteered.channels (a card typed into a message is masked); the
two paths used to keep two tables, and Maestro was masked in a chat but
refused at payment.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tutela.collect.accounts.card_numbers import (
    BRANDS,
    FIRST_DIGITS,
    brand_of,
    card_brand,
    luhn_valid,
)
from tutela.collect.accounts.payment import LocalTestProcessor, Sensitive
from tutela.collect.detect import find_cards
from tutela.collect.detect.cards import MIN_DIGITS
from tutela.errors import InvalidInput

# One published test number per brand, and a Luhn-valid number of no brand.
TEST_NUMBERS = {
    "amex": "378282246310005",
    "visa": "4111111111111111",
    "mastercard": "5555555555554444",
    "discover": "6011111111111117",
    "diners": "30569309025904",
    "jcb": "3566002020360505",
    "unionpay": "6200000000000005",
    "maestro": "6759649826438453",
}
NO_BRAND = "1234567812345670"


def with_luhn_digit(body: str) -> str:
    """`body` and the check digit that makes it pass the Luhn check."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def tokenized_brand(digits: str) -> str | None:
    processor = LocalTestProcessor(today=lambda: dt.date(2030, 1, 1))
    brand = brand_of(digits)
    code = "1" * (brand.security_code_digits if brand else 3)
    try:
        return processor.tokenize(Sensitive(digits), 12, 2031, Sensitive(code)).brand
    except InvalidInput:
        return None


def test_every_brand_of_the_table_has_a_test_number() -> None:
    assert {b.id for b in BRANDS} == set(TEST_NUMBERS)
    for brand, number in TEST_NUMBERS.items():
        assert luhn_valid(number) and card_brand(number) == brand


@pytest.mark.clause("collect.requested")
@pytest.mark.clause("collect.volunteered.channels")
@pytest.mark.parametrize("number", [*TEST_NUMBERS.values(), NO_BRAND])
def test_detection_and_payment_agree_on_every_brand(number: str) -> None:
    detected = [d.value for d in find_cards(f"my card is {number} thanks")]
    taken = tokenized_brand(number)
    assert (detected == [number]) == (taken is not None)
    assert taken == card_brand(number)


@pytest.mark.clause("collect.requested")
def test_a_maestro_card_is_taken_at_payment_as_it_is_masked_in_a_chat() -> None:
    assert tokenized_brand(TEST_NUMBERS["maestro"]) == "maestro"
    assert find_cards(f"card {TEST_NUMBERS['maestro']}")[0].reason.startswith(
        "Maestro card number"
    )


def numbers_of_every_range() -> list[str]:
    """For each brand, prefix range end and issued length: one Luhn-valid number."""
    draw = random.Random(7)
    numbers = []
    for brand in BRANDS:
        for _, low, high in brand.prefixes:
            for length in sorted(brand.lengths):
                for prefix in {str(low), str(high)}:
                    middle = "".join(
                        draw.choice("0123456789")
                        for _ in range(length - len(prefix) - 1)
                    )
                    numbers.append(with_luhn_digit(prefix + middle))
    return numbers


@pytest.mark.clause("collect.requested")
def test_a_number_of_any_brand_range_is_found_and_taken_alike() -> None:
    numbers = numbers_of_every_range()
    assert len(numbers) > 100
    for number in numbers:
        brand = card_brand(number)
        assert brand is not None
        found = bool(find_cards(f"card {number} ok"))
        # Only a 12-digit Maestro escapes detection (see detect.cards.MIN_DIGITS).
        assert found == (len(number) >= MIN_DIGITS), number
        assert tokenized_brand(number) == brand, number


def test_every_brand_starts_with_one_of_the_first_digits() -> None:
    assert FIRST_DIGITS == frozenset("234568")
    for number in TEST_NUMBERS.values():
        assert number[0] in FIRST_DIGITS
