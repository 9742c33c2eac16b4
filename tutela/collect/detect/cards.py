"""Find payment card numbers in free text, and mask them.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". A card number typed into a chat must never be
stored (PCI DSS): `mask_cards` keeps only the last four digits and is applied
before a message is written anywhere. A candidate is reported only when its
digits pass the Luhn check and start with the issuer prefix of a known brand
with a length that brand issues, which keeps order numbers, invoice numbers
and other long digit strings out.
"""

from __future__ import annotations

import re

from tutela.collect.detect.model import Detection

# 12 to 19 ASCII digits, optionally grouped by single spaces or dashes. ASCII
# only: `\d` would also take Arabic-Indic or full-width digits.
_CANDIDATE = re.compile(r"(?<![\w.,/-])[0-9](?:[ -]?[0-9]){11,18}(?![\w]|[.,/-][0-9])")

# (brand, prefix ranges as (low, high) on a fixed number of leading digits, lengths)
_BRANDS: tuple[tuple[str, tuple[tuple[int, int, int], ...], frozenset[int]], ...] = (
    ("Amex", ((2, 34, 34), (2, 37, 37)), frozenset({15})),
    ("Visa", ((1, 4, 4),), frozenset({13, 16, 19})),
    ("Mastercard", ((2, 51, 55), (4, 2221, 2720)), frozenset({16})),
    (
        "Discover",
        ((4, 6011, 6011), (3, 644, 649), (2, 65, 65), (6, 622126, 622925)),
        frozenset(range(16, 20)),
    ),
    (
        "Diners Club",
        ((3, 300, 305), (2, 36, 36), (2, 38, 39)),
        frozenset(range(14, 20)),
    ),
    ("JCB", ((4, 3528, 3589),), frozenset(range(16, 20))),
    ("UnionPay", ((2, 62, 62), (2, 81, 81)), frozenset(range(16, 20))),
    (
        "Maestro",
        ((2, 50, 50), (2, 56, 58), (4, 6304, 6304), (4, 6759, 6759), (2, 67, 67)),
        # Maestro issues 12 to 19 digits, but 12-digit cards are rare while
        # 12-digit serial numbers grouped 4-4-4 are common: start at 13.
        frozenset(range(13, 20)),
    ),
)


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn (mod 10) check."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """The brand whose issuer prefix and length fit `digits`, if any."""
    for brand, ranges, lengths in _BRANDS:
        if len(digits) not in lengths:
            continue
        for width, low, high in ranges:
            if len(digits) >= width and low <= int(digits[:width]) <= high:
                return brand
    return None


def _consistent(raw: str) -> bool:
    # People group card digits with one kind of separator; "4111 1111-1111 1111"
    # is more likely two numbers pasted together.
    return not (" " in raw and "-" in raw)


def find_cards(text: str) -> list[Detection]:
    """Return every Luhn-valid card number of a known brand in `text`."""
    found: list[Detection] = []
    for match in _CANDIDATE.finditer(text):
        raw = match.group(0)
        digits = raw.replace(" ", "").replace("-", "")
        if not _consistent(raw) or not luhn_valid(digits):
            continue
        brand = card_brand(digits)
        if brand is None:
            continue
        found.append(
            Detection(
                kind="card",
                start=match.start(),
                end=match.end(),
                text=raw,
                value=digits,
                reason=f"{brand} card number: brand prefix and length, Luhn check",
            )
        )
    return found


def mask_card_text(raw: str) -> str:
    """Mask every digit of a card number but the last four, keeping separators."""
    digits_seen = 0
    total = sum(char.isdigit() for char in raw)
    masked: list[str] = []
    for char in raw:
        if char.isdigit():
            digits_seen += 1
            masked.append(char if digits_seen > total - 4 else "*")
        else:
            masked.append(char)
    return "".join(masked)


def mask_cards(text: str) -> str:
    """Return `text` with every card number masked down to its last four digits.

    Apply this before a chat, email or ticket is stored: a card number typed
    into a message must never be kept whole.
    """
    cards = find_cards(text)
    if not cards:
        return text
    parts: list[str] = []
    cursor = 0
    for card in cards:
        parts.append(text[cursor : card.start])
        parts.append(mask_card_text(card.text))
        cursor = card.end
    parts.append(text[cursor:])
    return "".join(parts)
