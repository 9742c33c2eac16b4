"""What a payment card number is: its brand by issuer range and length, and the Luhn check.

Clauses: collect.requested ("payment information (... payment account number,
and security code ...)": a card taken for payment) and
collect.volunteered.channels (a card number typed into a chat or ticket is
found and masked before storage). Both use this one table, so a number that
detection masks as a card is a card the payment path takes, and the reverse.

Maestro is in the table, so it is accepted at payment as well as detected:
it is a debit brand that processors take (Mastercard's), the issuer range
cannot tell debit from credit for any brand, and the policy's "payment
account number" is not limited to credit cards. A card the processor
refuses is the processor's verdict, not a gap between two tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from stdnum import luhn


@dataclass(frozen=True, slots=True)
class CardBrand:
    """One brand: issuer prefixes as (digits, low, high), and the lengths it issues."""

    id: str
    """Stored in `payment_methods.card_brand` and compared in code: lower case."""
    name: str
    """Shown to people."""
    prefixes: tuple[tuple[int, int, int], ...]
    lengths: frozenset[int]
    security_code_digits: int = 3

    def issued(self, digits: str) -> bool:
        """Whether `digits` (ASCII) start with one of the brand's prefixes at a length it issues."""
        if len(digits) not in self.lengths:
            return False
        return any(
            len(digits) >= width and low <= int(digits[:width]) <= high
            for width, low, high in self.prefixes
        )


# Checked in order: a narrower range before a wider one it lies in (the
# Discover co-branded 622126-622925 before UnionPay's 62).
BRANDS: Final[tuple[CardBrand, ...]] = (
    CardBrand("amex", "Amex", ((2, 34, 34), (2, 37, 37)), frozenset({15}), 4),
    CardBrand("visa", "Visa", ((1, 4, 4),), frozenset({13, 16, 19})),
    CardBrand(
        "mastercard", "Mastercard", ((2, 51, 55), (4, 2221, 2720)), frozenset({16})
    ),
    CardBrand(
        "discover",
        "Discover",
        ((4, 6011, 6011), (3, 644, 649), (2, 65, 65), (6, 622126, 622925)),
        frozenset(range(16, 20)),
    ),
    CardBrand(
        "diners",
        "Diners Club",
        ((3, 300, 305), (2, 36, 36), (2, 38, 39)),
        frozenset(range(14, 20)),
    ),
    CardBrand("jcb", "JCB", ((4, 3528, 3589),), frozenset(range(16, 20))),
    CardBrand(
        "unionpay", "UnionPay", ((2, 62, 62), (2, 81, 81)), frozenset(range(16, 20))
    ),
    CardBrand(
        "maestro",
        "Maestro",
        ((2, 50, 50), (2, 56, 58), (4, 6304, 6304), (4, 6759, 6759), (2, 67, 67)),
        frozenset(range(12, 20)),
    ),
)

# The first digit of every brand's numbers (a quick filter for scanners).
FIRST_DIGITS: Final = frozenset(str(low)[0] for b in BRANDS for _, low, _ in b.prefixes)


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn (mod 10) check (python-stdnum)."""
    if not digits.isascii() or not digits.isdigit():
        return False
    return bool(luhn.is_valid(digits))


def brand_of(digits: str) -> CardBrand | None:
    """The brand whose issuer prefix and length fit `digits`, if any."""
    if not digits.isascii() or not digits.isdigit():
        return None
    return next((brand for brand in BRANDS if brand.issued(digits)), None)


def card_brand(digits: str) -> str | None:
    """The id of the brand `digits` belong to (e.g. "visa"), or None."""
    brand = brand_of(digits)
    return brand.id if brand is not None else None
