"""Masking for subject access exports: other people's numbers and typed secrets.

Clauses: rights.access (the subject gets their own data, not other
people's: a call's counterpart number is shown as the policy's
`meaning.access_request.counterpart_numbers` says) and collect.requested /
secure.measures (porting PINs, account numbers, passwords and SIP
credentials are never exported, even when someone typed them into a ticket).
"""

from __future__ import annotations

import re
from typing import Literal

CounterpartMode = Literal["mask_last_4", "full", "omit"]
SECRET_MASK = "[secret removed]"

# A credential keyword in any usual spelling, then either an explicit
# separator and any value, or a value that contains a digit ("PIN 4827",
# "PIN 4 8 2 7"). Over-masking is the safe side.
_PIN = r"p\.?\s?i\.?\s?n\.?(?:\s*(?:code|number|no\.?))?|pincode|nip"
_PASSWORD = (
    r"pass(?:word|wd|code|phrase)?|pwd|pw|mot\s+de\s+passe|code\s+secret"
    r"|sip\s+(?:secret|password)|secret"
)
_CODE = (
    r"security\s+code|sec\.?\s+code|cvv2?|cvc2?|csc|cvn|card\s+code"
    r"|verification\s+(?:code|value)|access\s+code|code\s+on\s+the\s+back"
)
_ACCOUNT = (
    r"(?:carrier\s+|porting\s+)?account\s*(?:number|no\.?|\#)|acct\s*(?:no\.?|\#)?"
    r"|api\s+key|token"
)
_KEYWORDS = rf"{_PIN}|{_PASSWORD}|{_CODE}|{_ACCOUNT}"
_DIGITS = r"\d(?:[ .-]?\d){2,15}(?!\d)"
_SECRET = re.compile(
    rf"(?i)(?<![\w.])(?P<key>{_KEYWORDS})(?!\w)"
    r"(?:(?P<sep>\s*(?:[:=#-]|\bis\b|\bwas\b)\s*(?:(?:is|was)\s+)?)"
    rf"(?P<value>{_DIGITS}|\S+)"
    rf"|(?P<space>\s*)(?P<digits>{_DIGITS}|\S*\d\S*))"
)


def mask_number(value: str | None, mode: CounterpartMode) -> str | None:
    """A counterpart's number as the policy allows: whole, last 4 digits masked, or none."""
    if value is None or value == "":
        return value
    if mode == "full":
        return value
    if mode == "omit":
        return None
    chars = list(value)
    hidden = 0
    for index in range(len(chars) - 1, -1, -1):
        if chars[index].isdigit():
            chars[index] = "X"
            hidden += 1
            if hidden == 4:
                break
    if hidden < 4:
        # Too short to keep any part (an extension): hide it whole.
        return "X" * max(len(value), 4)
    return "".join(chars)


def scrub_secrets(text: str) -> tuple[str, int]:
    """`text` with credential values masked, and how many were masked."""
    count = 0

    def _mask(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        sep = match.group("sep") or match.group("space")
        return f"{match.group('key')}{sep}{SECRET_MASK}"

    return _SECRET.sub(_mask, text), count
