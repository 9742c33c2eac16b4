"""Find IBANs (international bank account numbers) in free text.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Customers paste bank details into billing
tickets. A candidate counts only when its country's IBAN length fits and the
ISO 13616 mod-97 check passes; the value is the compact upper-case form.
"""

from __future__ import annotations

import re

from tutela.collect.detect.model import Detection

# IBAN length per country (ISO 13616 registry, SWIFT release 2024).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
    "BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22,
    "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22,
    "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30,
    "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
    "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29,
    "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

# A country code and check digits, then letters/digits in groups separated by at
# most one space. Lengths are checked per country after the match.
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2})[ ]?([0-9]{2})((?:[ ]?[A-Za-z0-9]){10,30})"
)


def iban_valid(compact: str) -> bool:
    """Whether a compact IBAN has its country's length and passes mod 97."""
    if not compact.isascii() or not compact.isalnum():
        return False
    compact = compact.upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def _take(text: str, start: int, length: int) -> int | None:
    """End offset after `length` alphanumerics from `start` (single spaces allowed)."""
    taken = 0
    index = start
    while taken < length and index < len(text):
        char = text[index]
        if char.isascii() and char.isalnum():
            taken += 1
        elif char != " " or index + 1 >= len(text) or text[index + 1] == " ":
            return None
        index += 1
    if taken < length:
        return None
    # The IBAN must end at a word boundary, not run into more letters/digits.
    if index < len(text) and text[index].isascii() and text[index].isalnum():
        return None
    return index


def find_ibans(text: str) -> list[Detection]:
    """Return every IBAN in `text` whose length and mod-97 check are valid."""
    found: list[Detection] = []
    position = 0
    while True:
        match = _CANDIDATE.search(text, position)
        if match is None:
            return found
        country = match.group(1).upper()
        length = IBAN_LENGTHS.get(country)
        end = _take(text, match.start(), length) if length else None
        if end is None:
            position = match.start() + 1
            continue
        raw = text[match.start() : end]
        compact = raw.replace(" ", "").upper()
        if not iban_valid(compact):
            position = match.start() + 1
            continue
        found.append(
            Detection(
                kind="iban",
                start=match.start(),
                end=end,
                text=raw,
                value=compact,
                reason=f"IBAN ({country}): country length and mod-97 check passed",
            )
        )
        position = end
