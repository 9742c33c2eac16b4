"""Find payment card numbers in free text, and mask them.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". A card number typed into a chat must never be
stored (PCI DSS): `mask_cards` keeps only the last four digits and is applied
before a message is written anywhere. A candidate is reported only when its
digits pass the Luhn check and start with the issuer prefix of a known brand
with a length that brand issues (`tutela.collect.accounts.card_numbers`, the table the
payment path uses too), which keeps order numbers, invoice numbers and other
long digit strings out.
"""

from __future__ import annotations

import re

from tutela.collect.accounts.card_numbers import brand_of, luhn_valid
from tutela.collect.detect.model import Detection

# Maestro issues 12-digit cards, but they are rare while 12-digit serial
# numbers grouped 4-4-4 are common: text is searched for 13 digits and more.
MIN_DIGITS = 13

# 13 to 19 ASCII digits, optionally grouped by single spaces or dashes. ASCII
# only: `\d` would also take Arabic-Indic or full-width digits.
_CANDIDATE = re.compile(
    rf"(?<![\w.,/-])[0-9](?:[ -]?[0-9]){{{MIN_DIGITS - 1},18}}(?![\w]|[.,/-][0-9])"
)


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
        brand = brand_of(digits)
        if brand is None:
            continue
        found.append(
            Detection(
                kind="card",
                start=match.start(),
                end=match.end(),
                text=raw,
                value=digits,
                reason=f"{brand.name} card number: brand prefix and length, Luhn check",
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
