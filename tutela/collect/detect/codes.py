"""Card security codes typed into messages, masked before anything is stored.

Policy: "security code and expiration date for credit cards" are requested
for payment (collect.requested), and the policy data says a card security
code is never stored, not even encrypted (PCI DSS 3.2, requirement 3.2.2).
People still type one into a chat ("cvv 737", "the code on the back is
737", or three digits after the card and its expiry), and "Jive does not
control the nature of this information" (collect.volunteered.uncontrolled):
so, like a card number, it is masked before the message is written.
`mask_security_codes` keeps the text's length (each digit becomes `*`), so
offsets found later still point at the same characters.
"""

from __future__ import annotations

import re

# A security-code keyword, an optional separator, then 3 or 4 digits.
_NAMED = re.compile(
    r"(?i)(?<![\w.])(?:cvv2?|cvc2?|cvn|csc|cid|security\s+code|sec\.?\s+code"
    r"|card\s+(?:verification\s+)?code|verification\s+value"
    r"|(?:the\s+)?(?:\d\s+)?(?:digits?|code|number)\s+on\s+the\s+back)"
    r"(?:\s*(?:[:=#-]|\bis\b|\bwas\b|\bare\b)?\s*)(?P<code>\d{3,4})(?!\d)"
)
# A card (whole or already masked), its expiry, then 3 or 4 digits.
_AFTER_EXPIRY = re.compile(
    r"(?i)(?:[0-9*](?:[ -]?[0-9*]){12,18})[ ,;]*(?:exp\w*\.?[: ]*)?"
    r"(?:0?[1-9]|1[0-2])\s*/\s*(?:\d{2}|\d{4})[ ,;]*(?:cvv2?|cvc2?|code)?[: ]*"
    r"(?P<code>\d{3,4})(?!\d)"
)


def _star(text: str, pattern: re.Pattern[str]) -> tuple[str, int]:
    chars = list(text)
    count = 0
    for match in pattern.finditer(text):
        start, end = match.span("code")
        chars[start:end] = "*" * (end - start)
        count += 1
    return "".join(chars), count


def mask_security_codes(text: str) -> str:
    """`text` with every card security code's digits replaced by `*`."""
    masked, _ = _star(text, _NAMED)
    masked, _ = _star(masked, _AFTER_EXPIRY)
    return masked


def count_security_codes(text: str) -> int:
    """How many security codes `mask_security_codes` would mask."""
    masked, named = _star(text, _NAMED)
    _, after = _star(masked, _AFTER_EXPIRY)
    return named + after


__all__ = ["count_security_codes", "mask_security_codes"]
