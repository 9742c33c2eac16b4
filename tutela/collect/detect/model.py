"""What a detector reports: one piece of personal data found in free text.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket" (section "What information does Jive collect?").
Such text is scanned for personal data; a `Detection` says what was found,
where, and why, so that a reviewer can check it. Its `repr` never shows the
matched text or value, so a detection that ends up in a log or a traceback
does not leak the personal data it points at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tutela.errors import InvalidInput

Kind = Literal["phone", "email", "card", "iban", "ip", "person"]

#: Every kind a detector can report, in the order overlaps are resolved:
#: a kind earlier in this tuple wins over a later one covering the same text.
KINDS: tuple[Kind, ...] = ("iban", "card", "email", "ip", "phone", "person")


@dataclass(frozen=True, slots=True)
class Detection:
    """One piece of personal data found in a text.

    `start` and `end` are character offsets into the original text, so that
    ``text[start:end] == detection.text``. `value` is the normalised form
    (E.164 phone, lower-case email, card digits, compact upper-case IBAN,
    compressed IP address, or the known person's id). `person_id` is set when
    the detection belongs to a person known to the store (by name, email or
    phone). `reason` explains the match to a reviewer without quoting it.
    """

    kind: Kind
    start: int
    end: int
    text: str = field(repr=False)
    value: str = field(repr=False)
    reason: str
    person_id: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise InvalidInput("a detection needs 0 <= start < end", field="span")

    @property
    def span(self) -> tuple[int, int]:
        """The `(start, end)` offsets of the match in the original text."""
        return (self.start, self.end)

    def overlaps(self, other: Detection) -> bool:
        """Whether the two detections share at least one character."""
        return self.start < other.end and other.start < self.end
