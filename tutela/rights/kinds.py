"""What a rights request asks for: access, erasure or correction.

Clauses: rights.access and rights.access.request. The export tells a
subject "you may ask us to correct or delete data"; such a request comes
through the same legal address, intake, verification and deadlines as an
access request (GDPR Art. 15-17 and CCPA know, delete and correct share
the same response periods in `tutela.rights.deadlines`). Its heading says
which it is, matched like the policy's own heading
(`tutela.rights.headings`: case folded, reply prefixes stripped, the
heading alone or followed by a separator, in the subject or the first line
of the body):

- erasure: "Request for Deletion of Personal Data", "Erasure Request",
  "Deletion Request", "Request to Delete", "Right to Erasure";
- correction: "Correction Request", "Request for Correction",
  "Rectification Request", "Request to Correct", "Right to Rectification".

The web form and `POST /api/sar` take the kind as the field `kind`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

from tutela.errors import InvalidInput
from tutela.rights.headings import _starts_with_heading

Kind = Literal["access", "erasure", "correction"]
KINDS: Final[tuple[Kind, ...]] = ("access", "erasure", "correction")

HEADINGS: Final[dict[Kind, tuple[str, ...]]] = {
    "erasure": (
        "Request for Deletion of Personal Data",
        "Request for Deletion",
        "Erasure Request",
        "Deletion Request",
        "Request to Delete",
        "Request for Erasure",
        "Right to Erasure",
    ),
    "correction": (
        "Correction Request",
        "Request for Correction",
        "Rectification Request",
        "Request for Rectification",
        "Request to Correct",
        "Right to Rectification",
    ),
}


def request_kind(subject: str | None, first_lines: Iterable[str] = ()) -> Kind | None:
    """The erasure or correction heading a message carries, if any."""
    candidates = [subject or ""]
    for line in first_lines:
        if line.strip():
            candidates.append(line)
            break
    for text in candidates:
        for kind, headings in HEADINGS.items():
            if any(_starts_with_heading(text, h) for h in headings):
                return kind
    return None


def check_kind(value: str | None) -> Kind:
    """A kind given by the web form or API (`access` when not given)."""
    wanted = (value or "access").strip().lower()
    for kind in KINDS:
        if kind == wanted:
            return kind
    raise InvalidInput(f"is not one of {list(KINDS)}", field="kind")


__all__ = ["HEADINGS", "KINDS", "Kind", "check_kind", "request_kind"]
