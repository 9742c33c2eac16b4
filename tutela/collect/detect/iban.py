"""Find IBANs (international bank account numbers) in free text.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Customers paste bank details into billing
tickets. A candidate counts only when python-stdnum's IBAN check passes: the
country's format from the SWIFT IBAN registry that stdnum ships (length and
the letters or digits of each part) and the ISO 13616 mod-97 check digits.
Not the national check digits stdnum knows for a few countries: a scanner
that masks personal data would rather mask a mistyped account number too
(and registry examples, such as BE68 5390 0754 7034, fail them). The value
is the compact upper-case form.
"""

from __future__ import annotations

import re
from typing import Final

from stdnum import iban as stdnum_iban

from tutela.collect.detect.model import Detection

# The shortest and longest IBAN of any country (Norway 15, the registry's 34).
SHORTEST: Final = 15
LONGEST: Final = 34

# A country code and check digits, then letters/digits in groups separated by at
# most one space. Whether the country's format fits is checked after the match.
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2})[ ]?([0-9]{2})((?:[ ]?[A-Za-z0-9]){10,30})"
)


def iban_valid(compact: str) -> bool:
    """Whether a compact IBAN fits its country's format and passes its checks."""
    if not compact.isascii() or not compact.isalnum():
        return False
    return bool(stdnum_iban.is_valid(compact.upper(), check_country=False))


def _ends(text: str, start: int) -> list[tuple[int, str]]:
    """Each place a run of letters/digits from `start` (single spaces allowed)
    could end as an IBAN: at a word boundary, 15 to 34 characters in.
    Returned as (end offset, compact text)."""
    found: list[tuple[int, str]] = []
    taken: list[str] = []
    index = start
    while index < len(text) and len(taken) <= LONGEST:
        char = text[index]
        if char.isascii() and char.isalnum():
            taken.append(char)
            after = text[index + 1] if index + 1 < len(text) else " "
            if not (after.isascii() and after.isalnum()) and len(taken) >= SHORTEST:
                found.append((index + 1, "".join(taken).upper()))
        elif char != " " or index + 1 >= len(text) or text[index + 1] == " ":
            break
        index += 1
    return found


def find_ibans(text: str) -> list[Detection]:
    """Return every IBAN in `text` that passes stdnum's check (see the module)."""
    found: list[Detection] = []
    position = 0
    while True:
        match = _CANDIDATE.search(text, position)
        if match is None:
            return found
        end, compact = next(
            (
                (end, compact)
                for end, compact in _ends(text, match.start())
                if iban_valid(compact)
            ),
            (None, ""),
        )
        if end is None:
            position = match.start() + 1
            continue
        country = compact[:2]
        found.append(
            Detection(
                kind="iban",
                start=match.start(),
                end=end,
                text=text[match.start() : end],
                value=compact,
                reason=f"IBAN ({country}): country format and mod-97 check passed",
            )
        )
        position = end
